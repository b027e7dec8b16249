import assert from "node:assert/strict";
import denoConfig from "../../deno.json" with { type: "json" };
import { runCli } from "./cli-helper.ts";

Deno.test("--version prints the version from deno.json", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), denoConfig.version);
});

Deno.test("--help lists validate, steps and schema with examples", async () => {
  const result = await runCli(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: ptp-runner/);
  for (const command of ["validate", "steps", "schema"]) {
    assert.match(result.stdout, new RegExp(`\\n  ${command} `));
  }
  assert.match(result.stdout, /Examples:\n {2}\$ ptp-runner validate/);
});

Deno.test("each of validate, steps and schema shows an example in its --help", async () => {
  for (const command of ["validate", "steps", "schema"]) {
    const result = await runCli([command, "--help"]);
    assert.equal(result.code, 0, command);
    assert.match(result.stdout, new RegExp(`Examples:\\n {2}\\$ ptp-runner ${command}`), command);
  }
});

Deno.test("usage errors from commander exit 2", async () => {
  const unknown = await runCli(["no-such-command"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'no-such-command'/);
  const missing = await runCli(["validate"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument 'pipeline'/);
  const option = await runCli(["validate", "x.yaml", "--bogus"]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--bogus'/);
});

Deno.test("run --help keeps the line continuation of its multi-line example", async () => {
  const result = await runCli(["run", "--help"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /--fail-on unsupported \\\n\s+--output json > result\.json/);
});

Deno.test("usage errors from commander print the invalid document on stdout with --output json", async () => {
  const cases = [
    {
      args: ["run", "pipelines/ptp.yaml", "--output", "json", "--bogus-flag"],
      msg: /--bogus-flag/,
    },
    { args: ["run", "--output", "json"], msg: /missing required argument 'pipeline\.yaml'/ },
    { args: ["runs", "--output=json", "--bogus"], msg: /unknown option '--bogus'/ },
  ];
  for (const { args, msg } of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, args.join(" "));
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.status, "invalid");
    assert.equal(doc.exit_code, 2);
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0].message, msg);
    assert.doesNotMatch(doc.problems[0].message, /^error:/);
    assert.match(result.stderr, msg, "the problem still goes to stderr");
  }
  const text = await runCli(["run", "pipelines/ptp.yaml", "--bogus-flag"]);
  assert.equal(text.code, 2);
  assert.equal(text.stdout, "", "without --output json stdout stays empty");
});
