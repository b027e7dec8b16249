/**
 * End to end: everything a run writes (journal directory and files, lock,
 * report directory and its four files, the --log-json file) is owner-only,
 * 0600 files and 0700 directories, even under `umask 000`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CONFIG,
  MAIN,
  makeWorkDir,
  PTP_PIPELINE,
  simSetArgs,
  startE2eSimulator,
} from "./helpers.ts";

/** Every path under `dir` (files and directories), depth first. */
async function* entries(dir: string): AsyncGenerator<{ path: string; isDirectory: boolean }> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    yield { path, isDirectory: entry.isDirectory };
    if (entry.isDirectory) yield* entries(path);
  }
}

Deno.test({
  name: "a run under umask 000 writes its journal, reports and event log owner-only",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const sim = await startE2eSimulator();
    const cwd = await makeWorkDir();
    try {
      const log = join(cwd, "events.jsonl");
      // An existing, world-readable log file must not stay world-readable.
      await Deno.writeTextFile(log, "");
      await Deno.chmod(log, 0o666);
      const args = [
        "run",
        "-P=cli",
        `--config=${CONFIG}`,
        MAIN,
        "run",
        PTP_PIPELINE,
        "--yes",
        ...simSetArgs(sim),
        "--set",
        "instance_types=c7i.large",
        "--log-json",
        log,
      ];
      const quoted = args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
      const out = await new Deno.Command("sh", {
        args: ["-c", `umask 000 && exec '${Deno.execPath()}' ${quoted}`],
        cwd,
        env: { ...sim.env, NO_COLOR: "1", CI: "1" },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      const checked: string[] = [];
      for (const top of [".ptp-runner", "reports"]) {
        const root = join(cwd, top);
        assert.equal((await Deno.stat(root)).mode! & 0o777, 0o700, root);
        for await (const { path, isDirectory } of entries(root)) {
          const mode = (await Deno.stat(path)).mode! & 0o777;
          assert.equal(mode, isDirectory ? 0o700 : 0o600, `${path} has mode ${mode.toString(8)}`);
          checked.push(path);
        }
      }
      assert.equal((await Deno.stat(log)).mode! & 0o777, 0o600, log);
      assert.ok(checked.some((p) => p.endsWith("journal.json")), checked.join("\n"));
      assert.equal(checked.filter((p) => /report\.(json|yaml|md)$|junit\.xml$/.test(p)).length, 4);
    } finally {
      await sim.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
