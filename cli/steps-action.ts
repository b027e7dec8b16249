/**
 * Implementation of `ptp-runner steps` (loaded lazily): describes step types
 * from their zod schemas.
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../runner/errors.ts";
import type { StepPlugin } from "../runner/types.ts";
import { builtinRegistry } from "./builtin-registry.ts";

/** One field of a step's `with:` mapping or outputs. */
export interface FieldDescription {
  name: string;
  /** Type summary, e.g. `string`, `integer`, `string[]`, `"a" | "b"`. */
  type: string;
  required: boolean;
  /** Default value, when the schema has one. */
  default?: unknown;
  description?: string;
}

/** What `ptp-runner steps` shows of a step type. */
export interface StepDescription {
  type: string;
  scope: string;
  description: string;
  inputs: FieldDescription[];
  outputs: FieldDescription[];
  reads?: readonly string[];
  writes?: readonly string[];
}

type JsonSchema = Record<string, unknown>;

/** A short type name of a JSON Schema node. */
function typeName(schema: JsonSchema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return "any";
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return [...new Set(union.map(typeName))].join(" | ");
  if (schema.type === "array") return `${typeName(schema.items as JsonSchema)}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type === "object" && schema.additionalProperties && !schema.properties) {
    return `map of ${typeName(schema.additionalProperties as JsonSchema)}`;
  }
  return String(schema.type ?? "any");
}

/** Lists the top-level fields of a zod object schema (empty for other schemas). */
function fields(schema: z.ZodType, io: "input" | "output"): FieldDescription[] {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" }) as JsonSchema;
  } catch {
    return [];
  }
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: typeName(property),
    required: required.has(name),
    ...(property.default === undefined ? {} : { default: property.default }),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
  }));
}

/** Describes one step type from its plugin. */
export function describeStep(plugin: StepPlugin): StepDescription {
  return {
    type: plugin.type,
    scope: plugin.scope,
    description: plugin.description,
    inputs: fields(plugin.input, "input"),
    outputs: fields(plugin.output, "output"),
    ...(plugin.reads ? { reads: plugin.reads } : {}),
    ...(plugin.writes ? { writes: plugin.writes } : {}),
  };
}

/** Formats rows as aligned columns. */
function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    indent + row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
  );
}

/** Renders step descriptions as text. */
export function renderSteps(steps: StepDescription[]): string {
  if (steps.length === 0) return "no step types are registered";
  const blocks = steps.map((step) => {
    const lines = [`${step.type} (${step.scope} scope)`, `  ${step.description}`];
    if (step.inputs.length === 0) lines.push("  with: (no inputs)");
    else {
      lines.push("  with:");
      const rows = [["name", "type", "default", "description"]];
      for (const f of step.inputs) {
        const def = f.default !== undefined
          ? JSON.stringify(f.default)
          : f.required
          ? "(required)"
          : "-";
        rows.push([f.name, f.type, def, f.description ?? ""]);
      }
      lines.push(...table(rows, "    "));
    }
    if (step.outputs.length > 0) {
      lines.push(`  outputs: ${step.outputs.map((f) => `${f.name} (${f.type})`).join(", ")}`);
    }
    if (step.reads?.length) lines.push(`  reads: ${step.reads.join(", ")}`);
    if (step.writes?.length) lines.push(`  writes: ${step.writes.join(", ")}`);
    return lines.join("\n");
  });
  return blocks.join("\n\n");
}

/**
 * Describes the built-in step types (or one of them), plus a pipeline's team
 * step types with `pipeline`.
 * @param type only this step type, when given
 * @param options `json`: return JSON instead of text; `pipeline`: a pipeline
 *   file whose `plugins:` are loaded too (the rest of it is not checked)
 * @throws ValidationError when `type` is unknown (with a suggestion), or the
 *   pipeline or one of its plugins does not load
 */
export async function stepsCommand(
  type: string | undefined,
  options: { json?: boolean; pipeline?: string } = {},
): Promise<string> {
  const registry = options.pipeline === undefined
    ? builtinRegistry()
    : await (await import("../runner/pipeline/load.ts")).loadPipelineStepTypes(
      options.pipeline,
      builtinRegistry(),
    );
  let plugins = registry.list();
  if (type !== undefined) {
    const plugin = registry.get(type);
    if (!plugin) {
      const suggestion = registry.nearest(type);
      throw new ValidationError([{
        source: "steps",
        key: type,
        message: `unknown step type "${type}"` +
          (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
          `; step types: ${registry.types().join(", ") || "none"}` +
          (options.pipeline === undefined
            ? "; a pipeline's team step types: add --pipeline <file>"
            : ""),
      }]);
    }
    plugins = [plugin];
  }
  const steps = plugins.map(describeStep);
  return options.json ? JSON.stringify(steps, null, 2) : renderSteps(steps);
}
