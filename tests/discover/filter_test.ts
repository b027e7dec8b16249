import assert from "node:assert/strict";
import {
  compareTypes,
  familyOf,
  globToRegExp,
  matchesAnyGlob,
} from "../../plugins/discover/filter.ts";
import { parseRegions } from "../../plugins/discover/regions.ts";
import { toTypeCounts } from "../../plugins/discover/type-counts.ts";

Deno.test("globs match star, question mark and classes, case-insensitively, anchored", () => {
  assert.ok(globToRegExp("c7*").test("c7gn"));
  assert.ok(!globToRegExp("c7*").test("xc7i"));
  assert.ok(globToRegExp("c7?").test("C7I"));
  assert.ok(!globToRegExp("c7?").test("c7gn"));
  assert.ok(globToRegExp("[cm]7i.large").test("m7i.large"));
  assert.ok(!globToRegExp("[!cm]7i.large").test("m7i.large"));
  assert.ok(!globToRegExp("c7i.large").test("c7iXlarge"), "dot is literal");
  assert.ok(matchesAnyGlob("m7i", "c7*, m7*"));
  assert.ok(matchesAnyGlob("anything", undefined));
});

Deno.test("family is the part before the dot", () => {
  assert.equal(familyOf("c7gn.16xlarge"), "c7gn");
  assert.equal(familyOf("u-6tb1.metal"), "u-6tb1");
});

Deno.test("sizes sort from nano to metal, numeric xlarge sizes by number", () => {
  const sizes = [
    "c7i.metal-48xl",
    "c7i.48xlarge",
    "c7i.2xlarge",
    "c7i.xlarge",
    "c7i.large",
    "c7i.12xlarge",
  ];
  assert.deepEqual([...sizes].sort(compareTypes), [
    "c7i.large",
    "c7i.xlarge",
    "c7i.2xlarge",
    "c7i.12xlarge",
    "c7i.48xlarge",
    "c7i.metal-48xl",
  ]);
});

Deno.test("regions parse from one, a comma list, an array, or all", () => {
  assert.deepEqual(parseRegions("us-east-1"), ["us-east-1"]);
  assert.deepEqual(parseRegions("us-east-1, eu-west-1,us-east-1"), ["us-east-1", "eu-west-1"]);
  assert.deepEqual(parseRegions(["ap-southeast-7", "us-gov-west-1"]), [
    "ap-southeast-7",
    "us-gov-west-1",
  ]);
  assert.equal(parseRegions("all"), "all");
  assert.equal(parseRegions(""), undefined);
  assert.throws(() => parseRegions("all,us-east-1"), /cannot be combined/);
  assert.throws(() => parseRegions("useast1"), /"useast1" is not a region name/);
});

Deno.test("type:count entries carry the count and refuse a non-positive one", () => {
  assert.deepEqual(toTypeCounts(["c7i.large", "c7g.large"], 3), ["c7i.large:3", "c7g.large:3"]);
  assert.throws(() => toTypeCounts(["c7i.large"], 0), RangeError);
});
