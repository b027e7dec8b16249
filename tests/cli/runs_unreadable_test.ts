/** cli/runs-action.ts: a run whose journal is not valid JSON is listed as unreadable, never dropped. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runsCommand } from "../../cli/runs-action.ts";

Deno.test("runs lists a corrupt journal as unreadable with the cleanup and sweep hints", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-runs-" });
  try {
    const runId = "20261207-010203-ab12";
    const dir = join(workDir, ".ptp-runner", "runs", runId);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "journal.json"), '{"version": 1, "runId": ');
    let text = "";
    assert.equal(await runsCommand({ workDir }, (t) => text += t), 0);
    assert.match(text, new RegExp(`${runId} +\\? +- +unreadable`), text);
    assert.match(text, /not valid JSON/);
    assert.match(text, new RegExp(`ptp-runner cleanup --run ${runId}`));
    assert.match(text, new RegExp(`ptp-runner sweep --run ${runId}`));
    let json = "";
    await runsCommand({ workDir, output: "json" }, (t) => json += t);
    const [listing] = JSON.parse(json);
    assert.equal(listing.run_id, runId);
    assert.equal(listing.status, "unreadable");
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("runs: a --work-dir that does not exist exits 1; an existing one without runs lists none (exit 0)", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-runs-" });
  const { error } = console;
  const errors: string[] = [];
  console.error = (...parts: unknown[]) => errors.push(parts.map(String).join(" "));
  try {
    let text = "";
    assert.equal(await runsCommand({ workDir: join(workDir, "missing") }, (t) => text += t), 1);
    assert.equal(text, "", "no listing for a directory that is not there");
    assert.match(errors.join("\n"), /cannot list runs: .*missing does not exist/);
    assert.equal(await runsCommand({ workDir }, (t) => text += t), 0);
    assert.match(text, /^no runs/);
    // A runs "directory" that cannot be read as one.
    await Deno.mkdir(join(workDir, ".ptp-runner"));
    await Deno.writeTextFile(join(workDir, ".ptp-runner", "runs"), "");
    assert.equal(await runsCommand({ workDir }, () => {}), 1);
  } finally {
    console.error = error;
    await Deno.remove(workDir, { recursive: true });
  }
});

Deno.test("runs --output json prints a JSON document when the runs cannot be listed (exit 1)", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-runs-" });
  const { error } = console;
  console.error = () => {};
  try {
    let json = "";
    const missing = join(workDir, "missing");
    const code = await runsCommand({ workDir: missing, output: "json" }, (t) => json += t);
    assert.equal(code, 1);
    const doc = JSON.parse(json);
    assert.equal(doc.status, "error");
    assert.equal(doc.exit_code, 1);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0].source, "--work-dir");
    assert.equal(doc.problems[0].message, `${missing} does not exist`);
  } finally {
    console.error = error;
    await Deno.remove(workDir, { recursive: true });
  }
});
