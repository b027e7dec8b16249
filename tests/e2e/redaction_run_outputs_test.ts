/**
 * End to end: what a run writes with redaction on (README "Logs", "Resume",
 * pipeline `secret` inputs). One placeholder names one address in every
 * output of a run (console, `--log-json`, report.json, JUnit, `--output
 * json`); the verbose inputs listing and the journal's inputs hold no address
 * in clear; a secret input never prints, however short. A team plugin logs one
 * address and throws with another; nothing is contacted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeWorkDir, readEvents, readJournal, readReport, ROOT, runCli } from "./helpers.ts";

const ENV = { PTP_RUNNER_TIME_SCALE: "0.01", AWS_REGION: "us-east-1" };

const PLUGIN = `
import { defineStep, z } from "${pathToFileURL(join(ROOT, "plugins/api.ts")).href}";
export default defineStep({
  type: "leaky",
  description: "Logs one address and the token, then throws naming another address.",
  scope: "target",
  input: z.object({ token: z.string() }).strict(),
  output: z.object({}),
  run(ctx, input) {
    ctx.log.info("peer at 10.1.2.3");
    ctx.log.info("token is " + input.token);
    throw new Error("kaboom while talking to " + ctx.target.label + " from 10.9.8.7");
  },
});
`;

const PIPELINE = `
name: leaky
plugins: [./leaky.ts]
inputs:
  hosts: { type: array, items: string, default: ["198.51.100.10"] }
  token: { type: string, secret: true, default: "" }
steps:
  - uses: existing-hosts
    with:
      hosts: \${{ inputs.hosts }}
  - uses: leaky
    with:
      token: \${{ inputs.token }}
  - uses: report
    always: true
`;

/** Writes the plugin and pipeline into `cwd`; returns the pipeline's path. */
async function writePipeline(cwd: string): Promise<string> {
  await Deno.writeTextFile(join(cwd, "leaky.ts"), PLUGIN);
  await Deno.writeTextFile(join(cwd, "leaky.yaml"), PIPELINE);
  return join(cwd, "leaky.yaml");
}

/** The placeholder that follows `prefix` in `text` (e.g. `[IPv4-3]`). */
function placeholderAfter(text: string, prefix: string): string {
  const match = new RegExp(`${prefix}(\\[IPv4-\\d+\\])`).exec(text);
  assert.ok(match, `no "${prefix}[IPv4-N]" in:\n${text}`);
  return match[1];
}

Deno.test("with redaction on, one placeholder names one address in the log, --log-json, report, JUnit and --output json", async () => {
  const cwd = await makeWorkDir();
  try {
    const file = await writePipeline(cwd);
    const log = join(cwd, "events.jsonl");
    const result = await runCli(
      ["run", file, "--yes", "-v", "--log-json", log, "--output", "json"],
      { cwd, env: ENV },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const doc = JSON.parse(result.stdout);
    const runId = doc.run_id as string;
    const console = result.stderr;
    const events = JSON.stringify(await readEvents(log));
    const report = JSON.stringify(await readReport(cwd, runId));
    const junit = await Deno.readTextFile(join(cwd, "reports", runId, "junit.xml"));
    const everything = [console, events, report, junit, result.stdout];
    for (const text of everything) assert.doesNotMatch(text, /10\.9\.8\.7|10\.1\.2\.3/);
    const thrown = placeholderAfter(console, "from ");
    const logged = placeholderAfter(console, "peer at ");
    assert.notEqual(thrown, logged);
    for (const text of [events, report, junit, result.stdout]) {
      assert.equal(placeholderAfter(text, "from "), thrown, text);
    }
    assert.equal(placeholderAfter(events, "peer at "), logged);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("with redaction on, the verbose inputs listing and the journal's inputs hold no address in clear", async () => {
  const cwd = await makeWorkDir();
  try {
    const file = await writePipeline(cwd);
    const result = await runCli(["run", file, "--yes", "-v"], { cwd, env: ENV });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /hosts = \["\[IPv4-1\]"\] \(default\)/, result.stdout);
    assert.doesNotMatch(result.stdout, /198\.51\.100\.10/);
    const runId = /\brun (\d{8}-\d{6}-[0-9a-z]{4})/.exec(result.stdout)![1];
    const journal = await readJournal(cwd, runId);
    assert.ok(journal);
    assert.doesNotMatch(JSON.stringify(journal.inputs), /198\.51\.100\.10/);
    assert.deepEqual(journal.inputs, { hosts: ["[IPv4-1]"], token: "***" });
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("--resume with a changed address input names the change by the run's placeholders", async () => {
  const cwd = await makeWorkDir();
  try {
    const file = await writePipeline(cwd);
    const first = await runCli(["run", file, "--yes"], { cwd, env: ENV });
    assert.equal(first.code, 1, first.stdout + first.stderr);
    const runId = /\brun (\d{8}-\d{6}-[0-9a-z]{4})/.exec(first.stdout)![1];
    const changed = await runCli(
      ["run", file, "--yes", "--set", "hosts=198.51.100.11", "--resume", runId],
      { cwd, env: ENV },
    );
    assert.equal(changed.code, 2, changed.stdout + changed.stderr);
    assert.match(
      changed.stderr,
      /input hosts: was \["\[IPv4-1\]"\], now \["\[IPv4-\d+\]"\]/,
      changed.stderr,
    );
    assert.doesNotMatch(changed.stdout + changed.stderr, /198\.51\.100/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a secret input of two characters is refused (exit 2) without printing it; three are masked", async () => {
  const cwd = await makeWorkDir();
  try {
    const file = await writePipeline(cwd);
    const short = await runCli(["run", file, "--yes", "-v", "--set", "token=ab"], {
      cwd,
      env: ENV,
    });
    assert.equal(short.code, 2, short.stdout + short.stderr);
    assert.match(short.stderr, /input "token" is secret and its value is shorter than 3/);
    assert.doesNotMatch(short.stdout + short.stderr, /\bab\b/);
    const log = join(cwd, "events.jsonl");
    const ok = await runCli(
      ["run", file, "--yes", "-v", "--set", "token=abc", "--log-json", log],
      { cwd, env: ENV },
    );
    assert.equal(ok.code, 1, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /token is \*\*\*/, ok.stdout);
    assert.doesNotMatch(ok.stdout + ok.stderr + await Deno.readTextFile(log), /token is abc/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
