/**
 * No key file and no ssh-agent (`SSH_AUTH_SOCK` unset): refused with what to
 * do, before any connection. (The agent itself is exercised end to end in
 * tests/e2e/ssh_agent_test.ts: a test's permissions cannot name the random
 * socket path of a real agent, the CLI's can.)
 */
import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import { closeServices, contextFor, fastOpen } from "./helpers.ts";
import { ed25519Key, startTestServer } from "./test-server.ts";

Deno.test("no key file and no SSH_AUTH_SOCK is refused naming both ways, connecting nowhere", async () => {
  const server = await startTestServer({ authorizedKey: ed25519Key().public });
  const before = Deno.env.get("SSH_AUTH_SOCK");
  Deno.env.delete("SSH_AUTH_SOCK");
  const ctx = contextFor(server);
  try {
    await assert.rejects(
      fastOpen(ctx, "", { privateKey: undefined, waitTimeoutSeconds: 0.5 }),
      (error: unknown) => {
        assert.ok(error instanceof StepError, String(error));
        assert.equal(error.kind, "config");
        assert.match(
          error.message,
          /no private_key given and no ssh-agent \(SSH_AUTH_SOCK is not set\): set private_key .*ssh-add KEYFILE/,
        );
        return true;
      },
    );
    assert.deepEqual(server.commands, []);
  } finally {
    if (before !== undefined) Deno.env.set("SSH_AUTH_SOCK", before);
    await closeServices(ctx);
    await server.close();
  }
});
