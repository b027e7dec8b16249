/**
 * Implementation of `ptp-runner schema` (loaded lazily).
 * @module
 */
import { renderPipelineJsonSchema } from "../runner/pipeline/json-schema.ts";
import { ValidationError } from "../runner/errors.ts";
import { builtinSteps } from "../steps/mod.ts";

/** Where `schema --write` writes without `--file`. */
export const DEFAULT_SCHEMA_FILE = "schema/pipeline.schema.json";

/** Formats `schema --output` accepts (the schema is JSON). */
export const SCHEMA_FORMATS = ["json"] as const;

/**
 * Renders the pipeline JSON Schema of the built-in step types.
 * @param options `write`: write to {@link DEFAULT_SCHEMA_FILE}; `file`: write
 *   to that file (implies `write`; directories created); `output`: the format
 *   (`json`, the default and only one)
 * @returns the schema text, or a one-line note of the file written
 * @throws ValidationError (exit 2) for an `output` format other than `json`,
 *   or an empty `file`
 */
export async function schemaCommand(
  options: { write?: boolean; file?: string; output?: string } = {},
): Promise<string> {
  const format = options.output ?? "json";
  if (!(SCHEMA_FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError([{
      source: "--output",
      message: `"${format}" is not a format of schema; allowed: ${SCHEMA_FORMATS.join(", ")} ` +
        "(schema --output takes a format, not a path; to write a file use --file <file>)",
    }]);
  }
  if (options.file !== undefined && options.file.trim() === "") {
    throw new ValidationError([{
      source: "--file",
      message: `needs a file name; without --file, --write writes ${DEFAULT_SCHEMA_FILE}`,
    }]);
  }
  const text = renderPipelineJsonSchema(builtinSteps);
  if (!options.write && options.file === undefined) return text.trimEnd();
  const file = options.file ?? DEFAULT_SCHEMA_FILE;
  const { dirname } = await import("node:path");
  await Deno.mkdir(dirname(file), { recursive: true });
  await Deno.writeTextFile(file, text);
  return `wrote ${file} (${builtinSteps.length} step types)`;
}
