import assert from "node:assert/strict";
import detectArch from "../../steps/detect-arch.ts";
import { StepError } from "../../runner/errors.ts";
import { shellServiceKey } from "../../plugins/ssh/shell-registry.ts";
import { makeTarget, makeTestContext } from "../helpers/context.ts";
import { FakeShell } from "../ssh/fake-shell.ts";
import { architectureMismatch, machineOf } from "../../steps/detect-arch.ts";

async function detect(
  uname: { stdout?: string; stderr?: string; exitCode?: number },
  expected?: string,
) {
  const target = makeTarget({
    id: "t",
    label: "c7g.large 1",
    instanceType: "c7g.large",
    ...(expected ? { expectedArchitecture: expected } : {}),
  });
  const shell = new FakeShell([["uname -m", uname]]);
  const ctx = makeTestContext({ target, services: { [shellServiceKey("t")]: shell } });
  const output = await detectArch.run(ctx, {}, new AbortController().signal);
  return { output: detectArch.output.parse(output), target };
}

Deno.test("detect-arch reads aarch64 and treats EC2's arm64 as the same architecture", async () => {
  const { output, target } = await detect({ stdout: "aarch64\n" }, "arm64");
  assert.deepEqual(output, {
    changed: false,
    machine: "aarch64",
    expected: "arm64",
    mismatch: false,
  });
  assert.deepEqual(target.facts.arch, {
    machine: "aarch64",
    raw: "aarch64",
    expected: "arm64",
    mismatch: false,
  });
  assert.deepEqual(target.warnings, []);
});

Deno.test("detect-arch flags a mismatch with the expected architecture as a warning", async () => {
  const { output, target } = await detect({ stdout: "x86_64\n" }, "arm64");
  assert.equal(output.mismatch, true);
  assert.equal(output.machine, "x86_64");
  assert.equal(target.warnings.length, 1);
  assert.match(target.warnings[0], /uname -m reports x86_64 but c7g.large was launched as arm64/);
});

Deno.test("detect-arch without an expected architecture never reports a mismatch", async () => {
  const { output } = await detect({ stdout: "x86_64\n" });
  assert.equal(output.mismatch, false);
  assert.equal(output.expected, null);
});

Deno.test("detect-arch maps an unrecognised machine to unknown with a warning", async () => {
  const { output, target } = await detect({ stdout: "riscv64\n" }, "x86_64");
  assert.equal(output.machine, "unknown");
  assert.equal(output.mismatch, false);
  assert.match(target.warnings[0], /riscv64/);
});

Deno.test("detect-arch turns a failing uname into a diagnosis and a command error", async () => {
  const target = makeTarget({ id: "t", label: "t" });
  const shell = new FakeShell([["uname -m", {
    stderr: "uname: cannot get system name\n",
    exitCode: 1,
  }]]);
  const ctx = makeTestContext({ target, services: { [shellServiceKey("t")]: shell } });
  await assert.rejects(
    detectArch.run(ctx, {}, new AbortController().signal),
    (error: unknown) => error instanceof StepError && error.kind === "command",
  );
  assert.equal(target.diagnostics[0].layer, "hardware");
  assert.equal(target.diagnostics[0].command, "uname -m");
  assert.match(target.diagnostics[0].output ?? "", /cannot get system name/);
  assert.equal(target.facts.arch, undefined);
});

Deno.test("machineOf and architectureMismatch follow EC2's and Linux's spellings", () => {
  assert.equal(machineOf("arm64"), "aarch64");
  assert.equal(machineOf(" x86_64 \n"), "x86_64");
  assert.equal(machineOf("i686"), "unknown");
  assert.equal(architectureMismatch("aarch64", "arm64_mac"), false);
  assert.equal(architectureMismatch("x86_64", "arm64"), true);
  assert.equal(architectureMismatch("unknown", "arm64"), false);
  assert.equal(architectureMismatch("x86_64", "i386"), false);
});

async function detectWithOsRelease(
  osRelease: { stdout?: string; stderr?: string; exitCode?: number },
) {
  const target = makeTarget({ id: "t", label: "t" });
  const shell = new FakeShell([
    ["uname -m", { stdout: "x86_64\n" }],
    ["cat /etc/os-release", osRelease],
  ]);
  const ctx = makeTestContext({ target, services: { [shellServiceKey("t")]: shell } });
  await detectArch.run(ctx, {}, new AbortController().signal);
  return { target, shell };
}

Deno.test("detect-arch reads /etc/os-release in the same round trip and records facts.host", async () => {
  const { target, shell } = await detectWithOsRelease({
    stdout: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n',
  });
  assert.equal(shell.commands.length, 1);
  assert.equal(target.facts.host?.family, "debian");
  assert.equal(target.facts.host?.layout?.package_manager, "apt-get");
  assert.equal(target.verdict, undefined);
});

Deno.test("detect-arch gives an unknown distribution the verdict unsupported with its name", async () => {
  const { target } = await detectWithOsRelease({
    stdout: 'NAME="openSUSE Leap"\nID="opensuse-leap"\nVERSION_ID="15.6"\n' +
      'PRETTY_NAME="openSUSE Leap 15.6"\n',
  });
  assert.equal(target.verdict, "unsupported");
  assert.equal(target.verdictReason, "unsupported: distribution openSUSE Leap 15.6");
  assert.equal(target.facts.host?.layout, null);
  assert.equal(target.diagnostics[0].command, "cat /etc/os-release");
});

Deno.test("detect-arch without a readable /etc/os-release names the distribution unknown", async () => {
  const { target } = await detectWithOsRelease({
    stderr: "cat: /etc/os-release: No such file or directory\n",
    exitCode: 1,
  });
  assert.equal(target.verdict, "unsupported");
  assert.equal(target.verdictReason, "unsupported: distribution unknown");
});
