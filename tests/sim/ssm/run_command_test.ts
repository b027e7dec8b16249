/**
 * Run Command in the simulator: SendCommand runs the script as root through
 * the same simulated host as SSH; GetCommandInvocation reports exit code,
 * output and times; InvocationDoesNotExist right after SendCommand.
 */
import assert from "node:assert/strict";
import { GetCommandInvocationCommand, SendCommandCommand } from "@aws-sdk/client-ssm";
import { startSsmFixture } from "./helpers.ts";

Deno.test("SendCommand runs the commands as one root script on the host; GetCommandInvocation reports the result", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    f.sim.ssm.invocation_visible_seconds = 300; // long enough for the next request to see it missing
    const sent = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: [id],
        Parameters: {
          commands: [
            "id -u",
            "sudo -n whoami",
            "X=kept",
            "echo $X; pwd",
            "echo oops >&2",
            "exit 3",
          ],
        },
        Comment: "test",
      }),
    );
    const commandId = sent.Command!.CommandId!;
    assert.equal(sent.Command!.Status, "Pending");
    await assert.rejects(
      f.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id })),
      (e: Error) => e.name === "InvocationDoesNotExist",
    );
    const result = await f.waitForResult(commandId, id);
    assert.equal(result.Status, "Failed");
    assert.equal(result.StatusDetails, "Failed");
    assert.equal(result.ResponseCode, 3);
    assert.equal(
      result.StandardOutputContent,
      `0\nroot\nkept\n/var/lib/amazon/ssm/${id}/document/orchestration/${commandId}/awsrunShellScript/0.awsrunShellScript\n`,
    );
    assert.equal(result.StandardErrorContent, "oops\n");
    assert.equal(result.PluginName, "aws:runShellScript");
    assert.ok(
      Date.parse(result.ExecutionEndDateTime!) >= Date.parse(result.ExecutionStartDateTime!),
    );
  } finally {
    await f.close();
  }
});
