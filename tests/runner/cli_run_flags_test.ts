import assert from "node:assert/strict";
import { checkRunFlags, describeInputSources } from "../../cli/run-action.ts";
import type { RunOptions } from "../../cli/run.ts";

const env = (vars: Record<string, string> = {}) => ({ get: (n: string) => vars[n] });
const base: RunOptions = { set: [], redact: true };

Deno.test("--concurrency must be a positive integer and the issue names the flag", () => {
  for (const bad of ["0", "-1", "1.5", "x", ""]) {
    const { issues } = checkRunFlags({ ...base, concurrency: bad }, env());
    assert.equal(issues.length, 1, bad);
    assert.equal(issues[0].source, "--concurrency");
  }
  assert.equal(checkRunFlags({ ...base, concurrency: "8" }, env()).flags.concurrency, 8);
});

Deno.test("--speed needs --simulate and a positive number; --keep takes keywords, not instance ids", () => {
  assert.equal(checkRunFlags({ ...base, speed: "10" }, env()).issues[0].source, "--speed");
  assert.equal(
    checkRunFlags({ ...base, simulate: true, speed: "0" }, env()).issues[0].source,
    "--speed",
  );
  assert.equal(checkRunFlags({ ...base, simulate: true, speed: "200" }, env()).flags.speed, 200);
  assert.equal(checkRunFlags({ ...base, keep: "functional" }, env()).issues.length, 0);
  const ids = checkRunFlags({ ...base, keep: "i-0abc,i-0def" }, env()).issues;
  assert.equal(ids.length, 1);
  assert.equal(ids[0].source, "--keep");
  assert.match(ids[0].message, /i-0abc, i-0def: a new run's instance ids cannot be known/);
  const keep = checkRunFlags({ ...base, keep: "some" }, env()).issues;
  assert.equal(keep[0].source, "--keep");
  assert.equal(keep[0].message, '"some" is not valid; use none, all or functional');
  assert.doesNotMatch(keep[0].message, /instance ids/, "run refuses ids: do not offer them");
});

Deno.test("--keep ids with --resume: refused as a resume (not as a new run), pointing to cleanup --run --keep", () => {
  const run = "20261207-040137-58qy";
  const issues = checkRunFlags({ ...base, resume: run, keep: "i-0abc" }, env()).issues;
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, "--keep");
  assert.doesNotMatch(issues[0].message, /new run/);
  assert.match(issues[0].message, /^i-0abc: --resume takes a keep policy/);
  assert.ok(issues[0].message.endsWith(`ptp-runner cleanup --run ${run} --keep <instance-id>`));
  assert.equal(checkRunFlags({ ...base, resume: run, keep: "all" }, env()).issues.length, 0);
});

Deno.test("PTP_RUNNER_SSH_PORT gives the SSH port without --simulate and must be a port", () => {
  assert.equal(checkRunFlags(base, env({ PTP_RUNNER_SSH_PORT: "2222" })).flags.sshPort, 2222);
  const bad = checkRunFlags(base, env({ PTP_RUNNER_SSH_PORT: "99999" })).issues;
  assert.equal(bad[0].source, "PTP_RUNNER_SSH_PORT");
  assert.equal(checkRunFlags(base, env()).flags.sshPort, undefined);
});

Deno.test("--verbose input listing names each value's source and hides secret values", () => {
  const lines = describeInputSources({
    values: { subnet_id: "subnet-1", token: "s3cret", count: 2 },
    sources: { subnet_id: "simulator", token: "flag", count: "default" },
    secrets: ["token"],
  });
  assert.deepEqual(lines, [
    "  count = 2 (default)",
    '  subnet_id = "subnet-1" (simulator)',
    "  token = *** (flag)",
  ]);
});

Deno.test("--fail-on names the values it allows, and says misconfigured always fails", () => {
  const [bad] = checkRunFlags({ ...base, failOn: "misconfigured" }, env()).issues;
  assert.equal(bad.source, "--fail-on");
  assert.match(
    bad.message,
    /^"misconfigured" is not allowed; allowed: "unsupported" \(comma-separated\)/,
  );
  assert.match(bad.message, /Misconfigured, errored and no-verdict targets always fail the run/);
  assert.doesNotMatch(bad.message, /is not a list of/);
  const [empty] = checkRunFlags({ ...base, failOn: " " }, env()).issues;
  assert.match(empty.message, /^needs a verdict; allowed: "unsupported"/);
  const ok = checkRunFlags({ ...base, failOn: "unsupported" }, env());
  assert.deepEqual([ok.issues, ok.flags.failOn], [[], ["unsupported"]]);
});

Deno.test('run --keep "" is refused as a --keep issue (exit 2), naming the allowed values', () => {
  const [issue] = checkRunFlags({ ...base, keep: "" }, env()).issues;
  assert.equal(issue.source, "--keep");
  assert.match(issue.message, /^needs a value \(got ""\); use none, all or functional/);
});
