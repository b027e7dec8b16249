/**
 * The agent goes offline with the NIC: during an ENA driver reload it is
 * ConnectionLost, a command sent meanwhile stays Pending and runs once the
 * agent is back; the reload itself, run through Run Command, completes (the
 * agent is local, unlike an SSH session). A command whose delivery timeout
 * passes while the agent is offline ends TimedOut / DeliveryTimedOut.
 */
import assert from "node:assert/strict";
import { GetCommandInvocationCommand } from "@aws-sdk/client-ssm";
import { startSsmFixture } from "./helpers.ts";

Deno.test("a driver reload takes the agent offline; commands sent meanwhile wait Pending and run when it is back", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    const reload = await f.run(id, [
      "modprobe -r ena",
      "sleep 300",
      "modprobe ena",
      "echo reloaded",
    ]);
    await f.waitForPing(id, "ConnectionLost");
    const queued = await f.run(id, ["echo queued"]);
    await f.waitForStatus(queued, id, "Pending");
    const during = await f.ssm.send(
      new GetCommandInvocationCommand({ CommandId: reload, InstanceId: id }),
    );
    assert.equal(during.Status, "InProgress");
    const reloaded = await f.waitForResult(reload, id);
    assert.equal(reloaded.Status, "Success");
    assert.equal(reloaded.StandardOutputContent, "reloaded\n");
    const ran = await f.waitForResult(queued, id);
    assert.equal(ran.Status, "Success");
    assert.equal(ran.StandardOutputContent, "queued\n");
    // It ran only once the agent was back: after the reload's 300 s with the NIC down (the
    // agent runs commands concurrently, so it may start before the reload's last line ends).
    assert.ok(
      Date.parse(ran.ExecutionStartDateTime!) >=
        Date.parse(reloaded.ExecutionStartDateTime!) + 300_000,
      `queued command started ${ran.ExecutionStartDateTime}, reload started ${reloaded.ExecutionStartDateTime}`,
    );
    await f.waitForPing(id, "Online");
  } finally {
    await f.close();
  }
});

Deno.test("a command not delivered within TimeoutSeconds ends TimedOut / DeliveryTimedOut", async () => {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    await f.run(id, ["modprobe -r ena", "sleep 600", "modprobe ena"]);
    await f.waitForPing(id, "ConnectionLost");
    const late = await f.run(id, ["echo late"], { TimeoutSeconds: 30 });
    const result = await f.waitForResult(late, id);
    assert.equal(result.Status, "TimedOut");
    assert.equal(result.StatusDetails, "DeliveryTimedOut");
    assert.equal(result.ResponseCode, -1);
    assert.equal(result.ExecutionStartDateTime, "");
  } finally {
    await f.close();
  }
});
