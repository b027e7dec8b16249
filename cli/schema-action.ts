/**
 * Implementation of `ptp-runner schema` (loaded lazily).
 * @module
 */
import { renderPipelineJsonSchema } from "../runner/pipeline/json-schema.ts";
import { builtinSteps } from "../steps/mod.ts";

/**
 * Renders the pipeline JSON Schema of the built-in step types.
 * @param options `write`: write to `output` (directories created) instead of returning it
 * @returns the schema text, or a one-line note of the file written
 */
export async function schemaCommand(
  options: { write?: boolean; output?: string } = {},
): Promise<string> {
  const text = renderPipelineJsonSchema(builtinSteps);
  if (!options.write) return text.trimEnd();
  const output = options.output ?? "schema/pipeline.schema.json";
  const { dirname } = await import("node:path");
  await Deno.mkdir(dirname(output), { recursive: true });
  await Deno.writeTextFile(output, text);
  return `wrote ${output} (${builtinSteps.length} step types)`;
}
