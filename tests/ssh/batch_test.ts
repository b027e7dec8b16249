import assert from "node:assert/strict";
import { batchCommand, parseBatch } from "../../plugins/ssh/batch.ts";

Deno.test("batchCommand frames each part with markers and its exit status", () => {
  const command = batchCommand([
    { name: "kernel", command: "uname -r" },
    { name: "phc", command: "cat /sys/module/ena/parameters/phc_enable" },
  ]);
  assert.equal(
    command,
    `echo '@@ptp-runner begin kernel'; { uname -r; } 2>&1; echo "@@ptp-runner end kernel $?"; ` +
      `echo '@@ptp-runner begin phc'; { cat /sys/module/ena/parameters/phc_enable; } 2>&1; echo "@@ptp-runner end phc $?"`,
  );
  assert.throws(() => batchCommand([{ name: "bad name", command: "x" }]), /invalid batch part/);
});

Deno.test("parseBatch splits outputs and exit statuses, keeping multi-line output", () => {
  const stdout = [
    "@@ptp-runner begin kernel",
    "6.1.27-43.48.amzn2023.x86_64",
    "@@ptp-runner end kernel 0",
    "@@ptp-runner begin phc",
    "cat: /sys/module/ena/parameters/phc_enable: No such file or directory",
    "@@ptp-runner end phc 1",
    "@@ptp-runner begin route",
    "default via 10.0.0.1 dev ens5",
    "10.0.0.0/24 dev ens5",
    "@@ptp-runner end route 0",
    "",
  ].join("\n");
  assert.deepEqual(parseBatch(stdout), {
    kernel: { output: "6.1.27-43.48.amzn2023.x86_64", exitCode: 0 },
    phc: {
      output: "cat: /sys/module/ena/parameters/phc_enable: No such file or directory",
      exitCode: 1,
    },
    route: { output: "default via 10.0.0.1 dev ens5\n10.0.0.0/24 dev ens5", exitCode: 0 },
  });
});

Deno.test("parseBatch marks a part cut short (no end marker) with a null exit status", () => {
  const parsed = parseBatch(
    "@@ptp-runner begin a\nx\n@@ptp-runner end a 0\n@@ptp-runner begin b\npartial",
  );
  assert.deepEqual(parsed.b, { output: "partial", exitCode: null });
  assert.equal(parsed.a.exitCode, 0);
  assert.deepEqual(parseBatch("no markers at all"), {});
});
