import assert from "node:assert/strict";
import { captureCli, runCli } from "./cli-helper.ts";

const FIXTURES = "tests/fixtures/pipelines";

/** Runs `validate` on a fixture and returns its problem lines (stderr minus the summary). */
async function validateFixture(name: string, extra: string[] = []) {
  const result = await captureCli(["validate", `${FIXTURES}/${name}`, ...extra]);
  const lines = result.stderr.split("\n").filter((line) => line && !/problems? found$/.test(line));
  return { ...result, lines };
}

Deno.test("validate prints ok and exits 0 for a valid pipeline (subprocess)", async () => {
  const result = await runCli(["validate", `${FIXTURES}/valid.yaml`]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^ok: tests\/fixtures\/pipelines\/valid\.yaml: pipeline "test-valid" is valid \(3 steps, 4 inputs, 2 team plugins\)/,
  );
});

Deno.test("validate reports bad indentation at file:line:col and exits 2", async () => {
  const { code, lines } = await validateFixture("bad-indent.yaml");
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `${FIXTURES}/bad-indent.yaml:6:1: steps[0]: YAML syntax error: Sequence item without - indicator`,
  ]);
});

Deno.test("validate reports a tab used for indentation", async () => {
  const { code, lines } = await validateFixture("tab-indent.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^tests\/fixtures\/pipelines\/tab-indent\.yaml:5:1: steps: YAML syntax error: Tabs are not allowed/,
  );
});

Deno.test("validate reports a duplicate key with its key path", async () => {
  const { code, lines } = await validateFixture("duplicate-key.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /duplicate-key\.yaml:6:5: steps\[0\]\.uses: YAML syntax error: Map keys must be unique/,
  );
});

Deno.test("validate reports an empty file", async () => {
  const { code, lines } = await validateFixture("empty.yaml");
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `${FIXTURES}/empty.yaml:1:1: pipeline file is empty; expected a mapping with at least name: and steps:`,
  ]);
});

Deno.test("validate reports a missing file", async () => {
  const { code, lines } = await validateFixture("no-such-file.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^tests\/fixtures\/pipelines\/no-such-file\.yaml: pipeline file not found: \/.*no-such-file\.yaml$/,
  );
});

Deno.test("validate reports an unknown step type with a suggestion", async () => {
  const { code, lines } = await validateFixture("unknown-step.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /unknown-step\.yaml:5:11: steps\[0\]\.uses: unknown step type "nop" \(did you mean "noop"\?\)/,
  );
});

Deno.test("validate reports an unknown key with the allowed keys", async () => {
  const { code, lines } = await validateFixture("unknown-key.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /unknown-key\.yaml:6:5: steps\[0\]\.timout: unknown key "timout" \(did you mean "timeout"\?\); allowed keys: id, uses/,
  );
});

Deno.test("validate reports every wrong type, one per line", async () => {
  const { code, lines } = await validateFixture("wrong-type.yaml");
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `${FIXTURES}/wrong-type.yaml:4:14: concurrency: expected an integer, got "many"`,
    `${FIXTURES}/wrong-type.yaml:7:22: steps[0].with.message: expected a string, got 5`,
  ]);
});

Deno.test("validate reports a duplicate step id asking for id:", async () => {
  const { code, lines } = await validateFixture("duplicate-id.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /duplicate-id\.yaml:6:11: steps\[1\]\.uses: duplicate step id "noop" \(already used by steps\[0\] at line 5\); .*add "id:"/,
  );
});

Deno.test("validate reports references to an undefined step and input", async () => {
  const { code, lines } = await validateFixture("undefined-reference.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /undefined-reference\.yaml:8:13: steps\[0\]\.if: steps\.ena-check\.outputs\.needs_build reads undefined step "ena-check"/,
  );
  assert.match(
    lines[1],
    /undefined-reference\.yaml:9:27: steps\[0\]\.with\.message: inputs\.greting reads undefined input "greting" \(did you mean inputs\.greeting\?\)/,
  );
});

Deno.test("validate reports a bad duration '10 minutes'", async () => {
  const { code, lines } = await validateFixture("bad-duration.yaml");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /bad-duration\.yaml:6:14: steps\[0\]\.timeout: invalid duration "10 minutes": expected .* 10m/,
  );
});

Deno.test("validate reports negative retry attempts", async () => {
  const { code, lines } = await validateFixture("negative-retry.yaml");
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `${FIXTURES}/negative-retry.yaml:6:24: steps[0].retry.attempts: must be >= 1 (got -2)`,
  ]);
});

Deno.test("validate --set of an undeclared input names the flag and the declared inputs", async () => {
  const { code, lines } = await validateFixture("with-inputs.yaml", ["--set", "regoin=eu-west-1"]);
  assert.equal(code, 2);
  assert.ok(
    lines.includes(
      `--set: regoin: the pipeline has no input "regoin" (did you mean "region"?); declared inputs: count, region`,
    ),
    lines.join("\n"),
  );
});

Deno.test("validate --set with a wrong type names --set key and the expected type", async () => {
  const { code, lines } = await validateFixture("with-inputs.yaml", [
    "--set",
    "region=x",
    "--set",
    "count=two",
  ]);
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `--set: count: expected an integer, got "two"; give it as --set count=<integer>`,
  ]);
});

Deno.test("validate --config with a syntax error gives the config file's line and column", async () => {
  const { code, lines } = await validateFixture("with-inputs.yaml", [
    "--config",
    "tests/fixtures/configs/syntax-error.yaml",
  ]);
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^tests\/fixtures\/configs\/syntax-error\.yaml:3:1: .*YAML syntax error: Flow sequence/,
  );
});

Deno.test("validate --config with unknown keys locates them", async () => {
  const { code, lines } = await validateFixture("with-inputs.yaml", [
    "--config",
    "tests/fixtures/configs/unknown-key.yaml",
  ]);
  assert.equal(code, 2);
  assert.deepEqual(lines, [
    `tests/fixtures/configs/unknown-key.yaml:2:1: regoin: unknown input "regoin" (did you mean "region"?); declared inputs: count, region`,
  ]);
});

Deno.test("validate accepts good input values from --config and --set", async () => {
  const result = await captureCli([
    "validate",
    `${FIXTURES}/with-inputs.yaml`,
    "--config",
    "tests/fixtures/configs/good.json",
    "--set",
    "count=3",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /input values ok/);
});

Deno.test("validate exits 2 from a real process and prints problems on stderr", async () => {
  const result = await runCli(["validate", `${FIXTURES}/wrong-type.yaml`]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /wrong-type\.yaml:4:14: concurrency: expected an integer/);
  assert.match(result.stderr, /2 problems found/);
});

Deno.test("validate names a missing list-or-string input as required, not 'Invalid input'", async () => {
  const { code, lines } = await validateFixture("launch-without-with.yaml");
  assert.equal(code, 2);
  const instanceTypes = lines.find((line) => line.includes("steps[0].with.instance_types"));
  assert.ok(instanceTypes, lines.join("\n"));
  assert.match(instanceTypes, /is required \(a string or a list\)$/);
  assert.ok(!lines.some((line) => /Invalid input/.test(line)), lines.join("\n"));
});

Deno.test("validate reports every input problem at once: bad --set values, a missing required input and with: values computed from inputs", async () => {
  const { code, lines } = await validateFixture("../../../pipelines/ptp.yaml", [
    "--set",
    "apply=x",
    "--set",
    "clock=foo",
    "--set",
    "instance_types=c7i.large:0",
  ]);
  assert.equal(code, 2);
  const text = lines.join("\n");
  assert.match(text, /^--set: apply: expected one of "reload", "reboot", got "x"/m);
  assert.match(text, /inputs\.subnet_id: input "subnet_id" \(string\) is required/);
  assert.match(text, /steps\[0\]\.with\.instance_types\.0: .*count "0"/);
  assert.match(text, /steps\[\d+\]\.with\.clock.*: clock: "foo" is not a clock choice/);
  // The launch step's subnet_id reads the missing input: not reported a second time.
  assert.doesNotMatch(text, /with\.subnet_id/);
});

Deno.test("validate locates a with: value computed from an input at its key and says where the input was given", async () => {
  const config = Deno.makeTempFileSync({ suffix: ".yaml" });
  Deno.writeTextFileSync(config, "subnet_id: subnet-0123456789abcdef0\n\nclock: foo\n");
  try {
    const { code, lines } = await validateFixture("../../../pipelines/ptp.yaml", [
      "--config",
      config,
      "--set",
      "observe=abc",
      "--set",
      "instance_types=c7i.large:0",
    ]);
    assert.equal(code, 2);
    const text = await Deno.readTextFile("pipelines/ptp.yaml");
    const at = (pattern: RegExp) => {
      const index = text.split("\n").findIndex((line) => pattern.test(line));
      return `${index + 1}:${text.split("\n")[index].search(/\S/) + 1}`;
    };
    const observe = lines.find((line) => /with\.observe:/.test(line));
    assert.ok(observe, lines.join("\n"));
    assert.ok(observe.includes(`ptp.yaml:${at(/^\s+observe: \$\{\{/)}: `), observe);
    assert.match(observe, /comes from input "observe" \(from --set observe=abc\)$/);
    const clock = lines.find((line) => /with\.clock/.test(line));
    assert.ok(clock, lines.join("\n"));
    assert.ok(clock.includes(`ptp.yaml:${at(/^\s+clock: \$\{\{/)}: `), clock);
    assert.ok(clock.endsWith(`comes from input "clock" (from ${config}:3)`), clock);
  } finally {
    Deno.removeSync(config);
  }
});
