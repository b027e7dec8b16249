import { SIGNAL_REPEAT_WINDOW_MS } from "../../runner/signals.ts";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = `${ROOT}tests/fixtures/runner/interrupt.yaml`;

/** Starts `ptp-runner run` in a temp work dir, with piped output. */
function spawnRun(workDir: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", `--config=${ROOT}deno.json`, `${ROOT}main.ts`, "run", ...args],
    cwd: workDir,
    env: { NO_COLOR: "1", CI: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

/** Collects a stream as text; `until` resolves once the text contains `needle`. */
function collect(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const waiters: { needle: string; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of waiters.filter((w) => text.includes(w.needle))) w.resolve();
    }
  })();
  return {
    text: () => text,
    done,
    until: (needle: string) =>
      new Promise<void>((resolve) => {
        if (text.includes(needle)) resolve();
        else waiters.push({ needle, resolve });
      }),
  };
}

Deno.test("Ctrl-C during a slow step exits 130 after running the always step", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-cli-run-" });
  const marker = `${workDir}/marker.json`;
  const child = spawnRun(workDir, [FIXTURE, "--set", `marker=${marker}`]);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  await out.until("slow step waiting");
  child.kill("SIGINT");
  const status = await child.status;
  await Promise.all([out.done, err.done]);
  assert.equal(status.code, 130, out.text() + err.text());
  assert.deepEqual(JSON.parse(await Deno.readTextFile(marker)), { interrupted: true });
  assert.match(out.text(), /interrupt: cancelling, running always-steps/);
  const runId = /run (\d{8}-\d{6}-[0-9a-z]{4})/.exec(out.text())![1];
  const journal = JSON.parse(
    await Deno.readTextFile(`${workDir}/.ptp-runner/runs/${runId}/journal.json`),
  );
  assert.equal(journal.status, "interrupted");
  assert.equal(journal.exitCode, 130);
  assert.deepEqual(journal.resources.map((r: { state: string }) => r.state), ["released"]);
  await Deno.remove(workDir, { recursive: true });
});

Deno.test("a second Ctrl-C exits 130 at once and lists what may be left behind", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-cli-run-" });
  const child = spawnRun(workDir, [
    FIXTURE,
    "--set",
    `marker=${workDir}/marker.json`,
    "--set",
    "hold=true",
  ]);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  await out.until("slow step waiting");
  child.kill("SIGINT");
  await out.until("mark step holding");
  // A repeat within the window counts as the same press (deno task forwards Ctrl-C twice).
  await new Promise((resolve) => setTimeout(resolve, SIGNAL_REPEAT_WINDOW_MS + 100));
  child.kill("SIGINT");
  const status = await child.status;
  await Promise.all([out.done, err.done]);
  assert.equal(status.code, 130);
  assert.match(err.text(), /test-thing thing-host-1 \[created\]/);
  assert.match(err.text(), /release: echo release thing-host-1/);
  assert.match(err.text(), /ptp-runner cleanup --run \d{8}-\d{6}-[0-9a-z]{4}/);
  const runId = /run (\d{8}-\d{6}-[0-9a-z]{4})/.exec(out.text())![1];
  const journal = JSON.parse(
    await Deno.readTextFile(`${workDir}/.ptp-runner/runs/${runId}/journal.json`),
  );
  assert.equal(journal.status, "interrupted", "the forced exit wrote the journal status");
  assert.equal(journal.exitCode, 130);
  await Deno.remove(workDir, { recursive: true });
});

Deno.test("run exits 2 naming the flag for a bad --concurrency, before anything runs", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-cli-run-" });
  const child = spawnRun(workDir, [FIXTURE, "--set", "marker=/dev/null", "--concurrency", "0"]);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const status = await child.status;
  await Promise.all([out.done, err.done]);
  assert.equal(status.code, 2);
  assert.match(err.text(), /--concurrency: "0" is not a positive integer/);
  const runs = await Array.fromAsync(Deno.readDir(workDir));
  assert.deepEqual(runs, [], "no journal was created");
  await Deno.remove(workDir, { recursive: true });
});
