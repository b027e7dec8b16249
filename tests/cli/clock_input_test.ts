/**
 * CLI: the `clock` input of the shipped pipelines is checked before anything
 * runs (exit 2), with the pipeline's file and line, the input's name and the
 * accepted forms; valid forms pass.
 */
import assert from "node:assert/strict";
import { runCli } from "./cli-helper.ts";
import { generateEd25519KeyPair } from "../../sim/keygen.ts";

/** A well-formed private key file: key files are checked before the run. */
const KEY = Deno.makeTempFileSync({ prefix: "ptp-key-" });
Deno.writeTextFileSync(KEY, generateEd25519KeyPair().private);

for (const pipeline of ["existing-hosts", "ptp", "discover-and-test"]) {
  Deno.test(`validate ${pipeline}.yaml refuses an unknown clock with file:line and the forms`, async () => {
    const result = await runCli([
      "validate",
      `pipelines/${pipeline}.yaml`,
      "--set",
      "clock=nic0",
      "--set",
      `private_key=${KEY}`,
      ...(pipeline === "existing-hosts"
        ? []
        : ["--set", "subnet_id=subnet-0sim0000000000001", "--set", "key_name=k"]),
    ]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const text = result.stdout + result.stderr;
    assert.match(
      text,
      new RegExp(
        `pipelines/${pipeline}\\.yaml:\\d+:\\d+: steps\\[\\d+\\]\\.with\\.clock(?: \\(also [^)]+\\))?: clock: "nic0" ` +
          'is not a clock choice; use "ena", "primary-nic" or "clock_name:<glob>"',
      ),
    );
    assert.match(text, /the value comes from input "clock" \(from --set clock=nic0\)/);
    // Read by two steps, said once.
    assert.match(text, /^1 problem found$/m);
  });
}

Deno.test("run --simulate refuses an unknown clock before the run starts (exit 2)", async () => {
  const result = await runCli([
    "run",
    "pipelines/existing-hosts.yaml",
    "--simulate",
    "--yes",
    "--set",
    "clock=clock_name:",
    "--set",
    `private_key=${KEY}`,
  ]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const text = result.stdout + result.stderr;
  assert.match(text, /existing-hosts\.yaml:\d+:\d+: .*clock: "clock_name:"/);
  assert.doesNotMatch(text, /PTP report/);
});

Deno.test("validate accepts primary-nic and a clock_name glob", async () => {
  for (const clock of ["primary-nic", "clock_name:5254*", "ena"]) {
    const result = await runCli([
      "validate",
      "pipelines/existing-hosts.yaml",
      "--set",
      `clock=${clock}`,
      "--set",
      `private_key=${KEY}`,
    ]);
    assert.equal(result.code, 0, `${clock}: ${result.stdout}${result.stderr}`);
  }
});
