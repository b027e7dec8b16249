/**
 * The JSON Schema (draft-07) of the pipeline format, for editors: derived
 * from the zod schema in `schema.ts`, with `uses` an enum of the step types
 * and, per step type, its `with:` properties (if/then on `uses`). A generated
 * copy is kept at `schema/pipeline.schema.json` (`deno task schema`).
 * @module
 */
import { z } from "zod";
import type { StepPlugin } from "../types.ts";
import { pipelineSchema } from "./schema.ts";

/** Path of the generated copy, relative to the project root. */
export const PIPELINE_SCHEMA_PATH = "schema/pipeline.schema.json";

type JsonSchema = Record<string, unknown>;

/** A `${{ }}` string, accepted wherever a `with:` value is (its type is known only at run time). */
const EXPRESSION_STRING: JsonSchema = {
  type: "string",
  pattern: "\\$\\{\\{.*\\}\\}",
  description: "An expression, evaluated at run time",
};

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: "draft-7",
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/**
 * JSON Schema of one step type's `with:` mapping: the plugin's input schema
 * where every property also accepts an expression string. Definitions are
 * renamed `<type>.<name>` and returned for the root.
 */
function withSchema(plugin: StepPlugin): { schema: JsonSchema; definitions: JsonSchema } {
  let schema: JsonSchema;
  try {
    schema = toJsonSchema(plugin.input);
  } catch {
    return { schema: { type: "object", description: plugin.description }, definitions: {} };
  }
  let definitions: JsonSchema = {};
  if (schema.definitions) {
    const prefix = `#/definitions/${plugin.type}.`;
    schema = JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', `"${prefix}`));
    definitions = Object.fromEntries(
      Object.entries(schema.definitions as JsonSchema).map(([k, v]) => [`${plugin.type}.${k}`, v]),
    );
    delete schema.definitions;
  }
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    for (const [key, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      properties[key] = {
        ...(description === undefined ? {} : { description }),
        anyOf: [rest, EXPRESSION_STRING],
      };
    }
  }
  return { schema: { ...schema, description: plugin.description }, definitions };
}

/**
 * Builds the pipeline JSON Schema.
 * @param plugins step types to describe (built-ins; team plugins are not known statically)
 * @returns a draft-07 JSON Schema object
 */
export function pipelineJsonSchema(plugins: readonly StepPlugin[]): JsonSchema {
  const root = toJsonSchema(pipelineSchema);
  const steps = (root.properties as Record<string, JsonSchema>).steps;
  const step = steps.items as JsonSchema;
  const stepProperties = step.properties as Record<string, JsonSchema>;
  const definitions: JsonSchema = { ...(root.definitions as JsonSchema | undefined) };
  if (plugins.length > 0) {
    stepProperties.uses = {
      ...stepProperties.uses,
      // A team plugin's type is also allowed: suggest built-ins, accept any name.
      anyOf: [{ enum: plugins.map((p) => p.type) }, { type: "string" }],
    };
    delete stepProperties.uses.type;
    step.allOf = plugins.map((plugin) => {
      const built = withSchema(plugin);
      Object.assign(definitions, built.definitions);
      return {
        if: { properties: { uses: { const: plugin.type } }, required: ["uses"] },
        then: { properties: { with: built.schema } },
      };
    });
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "ptp-runner pipeline",
    ...root,
    ...(Object.keys(definitions).length > 0 ? { definitions } : {}),
  };
}

/**
 * The schema as the text of `schema/pipeline.schema.json` (2-space JSON and a
 * final newline), so a stale copy can be detected by comparing text.
 */
export function renderPipelineJsonSchema(plugins: readonly StepPlugin[]): string {
  return `${JSON.stringify(pipelineJsonSchema(plugins), null, 2)}\n`;
}
