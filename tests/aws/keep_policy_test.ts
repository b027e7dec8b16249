import assert from "node:assert/strict";
import { keepIdsProblem, parseKeepPolicy } from "../../plugins/aws/release/keep-policy.ts";

Deno.test("--keep keywords parse to their modes and no value means ask", () => {
  assert.deepEqual(parseKeepPolicy(undefined), { mode: "ask" });
  assert.deepEqual(parseKeepPolicy("none"), { mode: "none" });
  assert.deepEqual(parseKeepPolicy("all"), { mode: "all" });
  assert.deepEqual(parseKeepPolicy("functional"), { mode: "functional" });
});

Deno.test("--keep with comma-separated instance ids keeps exactly those", () => {
  assert.deepEqual(parseKeepPolicy("i-0abc, i-0def"), { mode: "ids", ids: ["i-0abc", "i-0def"] });
});

Deno.test("--keep with a word that is neither a keyword nor an instance id names the flag", () => {
  assert.throws(() => parseKeepPolicy("functionl"), /--keep: "functionl" is not valid; use none/);
});

Deno.test("--keep where ids are refused anyway names only the keywords in its error", () => {
  assert.throws(
    () => parseKeepPolicy("some", { idsAccepted: false }),
    (e: Error) => e.message === '--keep: "some" is not valid; use none, all or functional',
  );
  assert.throws(() => parseKeepPolicy("some"), /or comma-separated instance ids/);
});

Deno.test("keepIdsProblem: keywords pass; ids of a new run are refused pointing to cleanup --run --keep", () => {
  assert.equal(keepIdsProblem(parseKeepPolicy("functional")), null);
  assert.equal(keepIdsProblem(parseKeepPolicy(undefined)), null);
  assert.match(
    keepIdsProblem(parseKeepPolicy("i-0abc")) ?? "",
    /^i-0abc: a new run's instance ids cannot be known .*functional, all or none.*cleanup --run <run-id> --keep <instance-id>/,
  );
});

Deno.test("keepIdsProblem: with the run's instances known, only ids the run does not own are refused", () => {
  const run = { runId: "20261129-101500-ab12", instanceIds: ["i-0aaa", "i-0bbb"] };
  assert.equal(keepIdsProblem(parseKeepPolicy("i-0bbb,i-0aaa"), run), null);
  assert.equal(
    keepIdsProblem(parseKeepPolicy("i-0aaa,i-0zzz"), run),
    "i-0zzz is not an instance of run 20261129-101500-ab12; its instances: i-0aaa, i-0bbb",
  );
  assert.match(
    keepIdsProblem(parseKeepPolicy("i-0x"), { ...run, instanceIds: [] }) ?? "",
    /its instances: none$/,
  );
});

Deno.test("--keep with an empty value is refused, naming the accepted values (not taken as no --keep)", () => {
  for (const empty of ["", " ", ","]) {
    assert.throws(
      () => parseKeepPolicy(empty, { idsAccepted: false }),
      /^Error: --keep: needs a value \(got ".*"\); use none, all or functional, or leave --keep out/,
      JSON.stringify(empty),
    );
  }
});
