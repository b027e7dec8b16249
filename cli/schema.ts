/**
 * `ptp-runner schema [--write | --file <file>] [--output json]`: the pipeline
 * format's JSON Schema. As in every command, `--output` is a format (only
 * `json` here); the file to write is `--file`.
 * @module
 */
import type { Command } from "commander";
import type { QuickCommand } from "./quick.ts";

/** Options commander hands to the action. */
interface SchemaOptions {
  write?: boolean;
  file?: string;
  output: string;
}

/** Prints or writes the JSON Schema (the action of both paths). */
async function schemaAction(options: SchemaOptions): Promise<void> {
  const { schemaCommand } = await import("./schema-action.ts");
  console.log(await schemaCommand(options));
}

/** `schema` on the quick path (cli/quick.ts): the options of {@link register}. */
export const quick: QuickCommand = {
  name: "schema",
  options: {
    write: { type: "boolean" },
    file: { type: "string" },
    output: { type: "string", default: "json" },
  },
  args: { min: 0, max: 0 },
  run: (_args, options) => schemaAction(options as unknown as SchemaOptions),
};

/** Adds the `schema` command. */
export function register(program: Command): void {
  program.command("schema")
    .description("print the JSON Schema of the pipeline format (for editors)")
    .option("--write", "write it to schema/pipeline.schema.json instead of printing it")
    .option("--file <file>", "write it to FILE instead of printing it (implies --write)")
    .option("--output <format>", "format: json (the only one)", "json")
    .addHelpText(
      "after",
      `
Editors with YAML support (e.g. the YAML language server) autocomplete step
types and their with: keys from it: add this first line to a pipeline file:
  # yaml-language-server: $schema=../schema/pipeline.schema.json

Examples:
  $ ptp-runner schema > pipeline.schema.json
  $ ptp-runner schema --file out/pipeline.schema.json
  $ ptp-runner schema --write          # from the project root (deno task schema)`,
    )
    .action(schemaAction);
}
