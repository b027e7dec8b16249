/**
 * Output limits: GetCommandInvocation returns at most 24,000 characters of
 * stdout and 8,000 of stderr, a cut stream ending in `--output truncated--`;
 * ListCommandInvocations with Details gives the plugin's combined Output
 * (at most 2,500 characters).
 */
import assert from "node:assert/strict";
import { ListCommandInvocationsCommand } from "@aws-sdk/client-ssm";
import {
  pluginOutput,
  TRUNCATED_SUFFIX,
  truncateOutput,
} from "../../../sim/aws/ssm/invocation-view.ts";
import { startSsmFixture } from "./helpers.ts";

Deno.test("truncateOutput keeps short text and cuts long text to the limit, ending in the agent's marker", () => {
  assert.equal(truncateOutput("short\n", 10), "short\n");
  const cut = truncateOutput("x".repeat(30_000), 24_000);
  assert.equal(cut.length, 24_000);
  assert.ok(cut.endsWith(TRUNCATED_SUFFIX));
  assert.equal(cut.indexOf(TRUNCATED_SUFFIX), 24_000 - TRUNCATED_SUFFIX.length);
});

Deno.test("pluginOutput joins stdout and stderr with the agent's separator and cuts each within 2,500 characters", () => {
  assert.equal(pluginOutput("out", ""), "out");
  assert.equal(pluginOutput("out", "err"), "out\n----------ERROR-------\nerr");
  const long = pluginOutput("o".repeat(5000), "e".repeat(5000));
  assert.ok(long.length <= 2500, String(long.length));
  assert.match(
    long,
    /\n---Output truncated---\n----------ERROR-------\ne+\n---Error truncated----$/,
  );
});

Deno.test("a script printing more than the limits: stdout cut at 24,000 and stderr at 8,000 characters", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    const line = "0123456789".repeat(9) + "\n"; // 91 characters
    const count = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(" ");
    const commands = [
      `for i in ${count(400)}; do echo ${line.trim()}; done`,
      `for i in ${count(100)}; do echo ${line.trim()} >&2; done`,
    ];
    const commandId = await f.run(id, commands);
    const result = await f.waitForResult(commandId, id);
    assert.equal(result.Status, "Success");
    assert.equal(result.StandardOutputContent!.length, 24_000);
    assert.ok(result.StandardOutputContent!.endsWith("--output truncated--"));
    assert.ok(result.StandardOutputContent!.startsWith(line.repeat(10)));
    assert.equal(result.StandardErrorContent!.length, 8_000);
    assert.ok(result.StandardErrorContent!.endsWith("--output truncated--"));
    const listed = await f.ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }),
    );
    const plugin = listed.CommandInvocations![0].CommandPlugins![0];
    assert.equal(plugin.Name, "aws:runShellScript");
    assert.ok(plugin.Output!.length <= 2500);
    assert.match(plugin.Output!, /---Output truncated---/);
  } finally {
    await f.close();
  }
});
