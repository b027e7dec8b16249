import assert from "node:assert/strict";
import { ValidationError } from "../../../runner/errors.ts";
import { defaultProfiles, loadProfiles, parseProfiles } from "../../../sim/profiles.ts";

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.issues;
  }
  throw new Error("expected a ValidationError");
}

Deno.test("the default catalogue covers every PhcSupport case, both architectures and a driver without phc_enable", () => {
  const types = defaultProfiles().instance_types;
  assert.equal(types["c7i.large"].phc_support, "supported");
  assert.ok(types["c7i.large"].placement_strategies.includes("precision-time"));
  assert.equal(types["m6i.large"].phc_support, "unsupported");
  assert.equal(types["c8i.large"].phc_support, "absent");
  assert.equal(types["m7g.large"].architecture, "arm64");
  assert.match(types["m7g.large"].kernel, /aarch64$/);
  assert.equal(types["m7a.large"].ena.phc_parameter, false);
  assert.equal(types["m7a.large"].ena.version, "2.8.3g");
  assert.equal(types["t2.micro"].hypervisor, "xen");
  assert.equal(types["t2.micro"].ena_support, "unsupported");
  assert.ok(!types["t3.micro"].placement_strategies.includes("precision-time"));
  assert.ok(Object.keys(types).length > 20, "more than one page of DescribeInstanceTypes");
});

Deno.test("a profiles file error names the file, line, column and key", () => {
  const text = [
    "instance_types:",
    "  c7i.large:",
    "    architecture: x86_64",
    "    phc_support: maybe",
    "    colour: blue",
  ].join("\n");
  const issues = issuesOf(() => parseProfiles(text, "my.yaml"));
  const phc = issues.find((i) => i.key === "instance_types.c7i.large.phc_support");
  assert.ok(phc, JSON.stringify(issues));
  assert.equal(phc.source, "my.yaml");
  assert.equal(phc.line, 4);
  const unknown = issues.find((i) => i.key === "instance_types.c7i.large.colour");
  assert.ok(unknown, JSON.stringify(issues));
  assert.equal(unknown.line, 5);
  assert.equal(unknown.col, 5);
});

Deno.test("a profiles file with bad YAML, a bad type name or a bad override regex is refused", () => {
  const yaml = issuesOf(() => parseProfiles("instance_types: [\n", "bad.yaml"));
  assert.match(yaml[0].message, /invalid YAML/);
  assert.equal(yaml[0].source, "bad.yaml");

  const name = issuesOf(() =>
    parseProfiles(
      "instance_types:\n  C7I LARGE: { architecture: x86_64, phc_support: supported }\n",
      "n.yaml",
    )
  );
  assert.match(name[0].message, /not an EC2 instance type name/);
  assert.equal(name[0].line, 2);

  const regex = issuesOf(() =>
    parseProfiles(
      "instance_types:\n  c7i.large:\n    architecture: x86_64\n    phc_support: supported\n" +
        "    overrides:\n      - regex: 'modinfo ('\n        stdout: x\n",
      "r.yaml",
    )
  );
  assert.equal(regex[0].key, "instance_types.c7i.large.overrides[0].regex");
  assert.equal(regex[0].line, 6);
});

Deno.test("a user profiles file adds and replaces types over the default catalogue, or stands alone with base: none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const overlay = `${dir}/overlay.yaml`;
    await Deno.writeTextFile(
      overlay,
      [
        "instance_types:",
        "  c7i.large:",
        "    architecture: x86_64",
        "    phc_support: supported",
        "    overrides:",
        "      - command: modinfo -F version ena",
        '        stdout: "2.10.0g\\n"',
        "  x8i.large: { architecture: x86_64, phc_support: supported }",
      ].join("\n"),
    );
    const merged = await loadProfiles(overlay);
    assert.equal(merged.instance_types["c7i.large"].overrides[0].stdout, "2.10.0g\n");
    assert.ok("x8i.large" in merged.instance_types);
    assert.ok("m7g.large" in merged.instance_types, "default types are kept");

    const alone = `${dir}/alone.yaml`;
    await Deno.writeTextFile(
      alone,
      "base: none\ninstance_types:\n  c7i.large: { architecture: x86_64, phc_support: supported }\n",
    );
    assert.deepEqual(Object.keys((await loadProfiles(alone)).instance_types), ["c7i.large"]);

    await assert.rejects(
      loadProfiles(`${dir}/missing.yaml`),
      (e: unknown) =>
        e instanceof ValidationError && /cannot read the profiles file/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
