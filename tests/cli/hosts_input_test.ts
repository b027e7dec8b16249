/**
 * CLI: an empty entry of the existing-hosts pipeline's `hosts` input is
 * refused before anything runs (exit 2), naming the entry and where it was
 * given (the `--set` flag, or the config file's line and column), instead of
 * the generic `[user@]host[:port]` form.
 */
import assert from "node:assert/strict";
import { runCli } from "./cli-helper.ts";

Deno.test("validate refuses --set hosts=a,,b naming entry 2 and the flag", async () => {
  const result = await runCli(["validate", "pipelines/existing-hosts.yaml", "--set", "hosts=a,,b"]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const text = result.stdout + result.stderr;
  assert.match(text, /^--set: hosts: entry 2 of 3 is empty in "a,,b"/m);
  assert.doesNotMatch(text, /expected "\[user@\]host\[:port\]"/);
});

Deno.test("validate refuses an empty hosts entry of a config file at its line and column", async () => {
  const config = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(config, 'hosts:\n  - ec2-user@10.0.1.12\n  - ""\n');
  const result = await runCli(["validate", "pipelines/existing-hosts.yaml", "--config", config]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const text = result.stdout + result.stderr;
  assert.match(text, new RegExp(`^${config}:3:5: hosts: entry 2 of 2 is empty`, "m"));
  assert.doesNotMatch(text, /expected "\[user@\]host\[:port\]"/);
});
