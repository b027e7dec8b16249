/**
 * Pre-run checks across steps (runner/pipeline/steps-before-run.ts, with
 * `connect`'s `checkBeforeRun`): transport ssm with hosts given by address
 * (existing-hosts `hosts:`, which carry no instance id) is refused once the
 * inputs are known, naming the file, line, key and where the values came
 * from; instances selected by tag or id, or transport ssh, pass.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { builtinRegistry } from "../../cli/builtin-registry.ts";
import { resolveInputs } from "../../runner/inputs.ts";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import { checkStepsBeforeRun } from "../../runner/pipeline/steps-before-run.ts";
import { ROOT } from "../e2e/helpers.ts";
import { issuesOf, writeTemp } from "./helpers.ts";

const EXISTING = join(ROOT, "pipelines/existing-hosts.yaml");

async function check(file: string, set: string[]): Promise<void> {
  const pipeline = await loadPipeline(file, builtinRegistry());
  checkStepsBeforeRun(pipeline, resolveInputs(pipeline, { set }));
}

Deno.test("steps before run: transport ssm with hosts by address is refused naming both keys and their inputs", async () => {
  const issues = await issuesOf(() =>
    check(EXISTING, ["hosts=10.0.1.12,ec2-user@10.0.1.13", "transport=ssm"])
  );
  assert.equal(issues.length, 1);
  const [issue] = issues;
  assert.equal(issue.source, EXISTING);
  assert.equal(issue.key, "steps[1].with.transport");
  assert.ok(issue.line! > 1);
  assert.match(issue.message, /steps\[0\]\.with\.hosts gives 2 host\(s\) by address/);
  assert.match(
    issue.message,
    /input "transport" \(from --set transport=ssm\), input "hosts" \(from --set hosts=\[IPv4\],ec2-user@\[IPv4\]\)/,
  );
  assert.match(issue.message, /select the instances by id or tag \(instance_ids, tags\)/);
  assert.match(issue.message, /or use transport ssh/);
});

Deno.test("steps before run: hosts by address mixed with tags are still refused over ssm", async () => {
  const issues = await issuesOf(() =>
    check(EXISTING, ["hosts=10.0.1.12", 'tags={"fleet":"timing"}', "transport=ssm"])
  );
  assert.deepEqual(issues.map((i) => i.key), ["steps[1].with.transport"]);
});

Deno.test("steps before run: tags over ssm, and hosts over ssh, pass", async () => {
  await check(EXISTING, ['tags={"fleet":"timing"}', "transport=ssm"]);
  await check(EXISTING, ["instance_ids=i-0123456789abcdef0", "transport=ssm"]);
  await check(EXISTING, ["hosts=10.0.1.12", "transport=ssh"]);
});

Deno.test("steps before run: literal values are checked too, without an input to name", async () => {
  const file = await writeTemp(`name: p
steps:
  - uses: existing-hosts
    with:
      hosts: [10.0.1.12]
  - uses: connect
    with:
      transport: ssm
`);
  const issues = await issuesOf(() => check(file, []));
  // At the key itself (line 8, column 7), not at the step's `- uses:` line.
  assert.deepEqual(issues.map((i) => [i.line, i.col, i.key]), [[8, 7, "steps[1].with.transport"]]);
  assert.doesNotMatch(issues[0].message, /the values come from/);
});
