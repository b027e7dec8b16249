import assert from "node:assert/strict";
import type { Option } from "commander";
import { buildProgram } from "../../cli/program.ts";
import { reportCliError } from "../../cli/errors.ts";
import { collectValues } from "../../cli/options.ts";
import { quickCommands, quickInvocation, type QuickOption } from "../../cli/quick.ts";
import { captureCli } from "./cli-helper.ts";

/** What commander was told of an option, in the quick path's terms. */
function declared(option: Option): QuickOption {
  const described: QuickOption = {
    type: option.required || option.optional ? "string" : "boolean",
  };
  if (option.parseArg === collectValues) described.multiple = true;
  if (option.defaultValue !== undefined) described.default = option.defaultValue;
  return described;
}

/** Runs `args` through commander only (main's path when the quick path declines). */
async function viaCommander(args: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: "user" });
    return Deno.exitCode;
  } catch (error) {
    return reportCliError(error);
  } finally {
    Deno.exitCode = 0;
  }
}

Deno.test("each quick command declares the options and arguments its commander command has", () => {
  const program = buildProgram();
  assert.deepEqual(quickCommands.map((c) => c.name), ["validate", "steps", "schema"]);
  for (const quick of quickCommands) {
    const command = program.commands.find((c) => c.name() === quick.name);
    assert.ok(command, quick.name);
    const options = Object.fromEntries(
      command.options.map((option) => [option.long!.replace(/^--/, ""), declared(option)]),
    );
    assert.deepEqual(quick.options, options, quick.name);
    const args = command.registeredArguments;
    assert.ok(args.every((a) => !a.variadic), quick.name);
    assert.deepEqual(quick.args, {
      min: args.filter((a) => a.required).length,
      max: args.length,
    }, quick.name);
  }
});

Deno.test("the quick path prints what commander's path prints, with the same exit code", async () => {
  const cases = [
    ["validate", "pipelines/ptp.yaml"],
    ["validate", "tests/fixtures/pipelines/unknown-step.yaml"],
    ["validate", "tests/fixtures/pipelines/with-inputs.yaml", "--set", "count=x", "--set=name=a"],
    ["validate", "--config", "tests/fixtures/configs/syntax-error.yaml", "pipelines/ptp.yaml"],
    ["validate", "no-such-file.yaml"],
    ["steps"],
    ["steps", "verify", "--json"],
    ["steps", "no-such-type"],
    ["schema"],
  ];
  for (const args of cases) {
    assert.ok(quickInvocation(args), `quick path for ${args.join(" ")}`);
    const quick = await captureCli(args);
    const commander = await captureCli(args, viaCommander);
    assert.deepEqual(quick, commander, args.join(" "));
  }
});

Deno.test("the quick path leaves help, version, usage errors and other commands to commander", () => {
  const declined = [
    [],
    ["--help"],
    ["--version"],
    ["help", "validate"],
    ["run", "pipelines/ptp.yaml"],
    ["validate"],
    ["validate", "a.yaml", "b.yaml"],
    ["validate", "a.yaml", "--help"],
    ["validate", "-h"],
    ["validate", "a.yaml", "--bogus"],
    ["validate", "a.yaml", "--set"],
    ["validate", "a.yaml", "--set", "-x"],
    ["validate", "--", "a.yaml"],
    ["steps", "--json=yes"],
    ["steps", "a", "b"],
    ["schema", "extra"],
    ["schema", "--no-write"],
  ];
  for (const args of declined) {
    assert.equal(quickInvocation(args), undefined, args.join(" "));
  }
});

Deno.test("the quick path hands commander's defaults to the command", async () => {
  const seen: unknown[] = [];
  const commands = [{
    name: "probe",
    options: {
      "set": { type: "string" as const, multiple: true, default: [] },
      "out-file": { type: "string" as const, default: "x.json" },
      "json": { type: "boolean" as const },
    },
    args: { min: 0, max: 1 },
    run: (args: string[], options: unknown) => {
      seen.push({ args, options });
      return Promise.resolve();
    },
  }];
  await quickInvocation(["probe"], commands)!();
  await quickInvocation(
    ["probe", "a", "--set", "x", "--set=y", "--json", "--out-file", "o"],
    commands,
  )!();
  assert.deepEqual(seen, [
    { args: [], options: { set: [], outFile: "x.json" } },
    { args: ["a"], options: { set: ["x", "y"], outFile: "o", json: true } },
  ]);
});
