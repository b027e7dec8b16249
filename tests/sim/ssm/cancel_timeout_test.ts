/**
 * CancelCommand kills the running script on the host (the simulated process
 * gets the signal: what follows it never runs), and `executionTimeout` kills
 * it as TimedOut / ExecutionTimedOut; both report ResponseCode 137 as the
 * agent does on Linux.
 */
import assert from "node:assert/strict";
import { CancelCommandCommand, SendCommandCommand } from "@aws-sdk/client-ssm";
import { startSsmFixture } from "./helpers.ts";

Deno.test("CancelCommand kills the running script on the host: Cancelled with 137", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    const sent = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: [id],
        Parameters: { commands: ["echo started", "sleep 3000", "touch /root/after-sleep"] },
      }),
    );
    const commandId = sent.Command!.CommandId!;
    await f.waitForStatus(commandId, id, "InProgress");
    await f.ssm.send(new CancelCommandCommand({ CommandId: commandId }));
    const result = await f.waitForResult(commandId, id);
    assert.equal(result.Status, "Cancelled");
    assert.equal(result.StatusDetails, "Cancelled");
    assert.equal(result.ResponseCode, 137);
    assert.equal(result.StandardOutputContent, "started\n");
    // Nothing after the killed sleep ran on the host.
    const check = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: [id],
        Parameters: { commands: ["test -e /root/after-sleep && echo present || echo absent"] },
      }),
    );
    const after = await f.waitForResult(check.Command!.CommandId!, id);
    assert.equal(after.StandardOutputContent, "absent\n");
  } finally {
    await f.close();
  }
});

Deno.test("executionTimeout kills the script: TimedOut / ExecutionTimedOut with 137", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    const sent = await f.ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: [id],
        Parameters: { commands: ["sleep 500", "echo never"], executionTimeout: ["60"] },
      }),
    );
    const result = await f.waitForResult(sent.Command!.CommandId!, id);
    assert.equal(result.Status, "TimedOut");
    assert.equal(result.StatusDetails, "ExecutionTimedOut");
    assert.equal(result.ResponseCode, 137);
    assert.equal(result.StandardOutputContent, "");
  } finally {
    await f.close();
  }
});
