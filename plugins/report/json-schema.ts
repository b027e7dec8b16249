/**
 * The JSON Schema (draft-07) of `report.json`, generated from the zod model
 * in `model.ts`. A copy is kept at `schema/report.schema.json`; regenerate it
 * after changing the model with:
 *
 * ```sh
 * deno run -P=cli plugins/report/json-schema.ts --write
 * ```
 * @module
 */
import { z } from "zod";
import { ReportSchema } from "./model.ts";

/** Path of the generated copy, relative to the repository root. */
export const REPORT_SCHEMA_PATH = "schema/report.schema.json";

/** The report's JSON Schema (draft-07) as an object. */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, { target: "draft-07", io: "output" }) as Record<
    string,
    unknown
  >;
}

/** The schema as the file holds it (2-space JSON with a final newline). */
export function reportJsonSchemaText(): string {
  return JSON.stringify(reportJsonSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  const text = reportJsonSchemaText();
  if (Deno.args.includes("--write")) {
    const path = new URL(`../../${REPORT_SCHEMA_PATH}`, import.meta.url);
    await Deno.mkdir(new URL(".", path), { recursive: true });
    await Deno.writeTextFile(path, text);
    console.log(`wrote ${REPORT_SCHEMA_PATH}`);
  } else {
    console.log(text);
  }
}
