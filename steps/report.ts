/**
 * The `report` step (pipeline scope; use with `always: true`): summarises
 * every target's verdict, diagnostics and clock quality on the console and in
 * `<workDir>/reports/<run-id>/` (`report.json` per `schema/report.schema.json`,
 * `report.yaml`, `junit.xml`, `report.md`). IP addresses are redacted unless
 * `--no-redact`.
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { CountsSchema } from "../plugins/report/model.ts";

/** The report step plugin. */
export default defineStep({
  type: "report",
  description:
    "Summarise verdicts, diagnostics and clock quality; write JSON, YAML, JUnit, Markdown",
  scope: "pipeline",
  input: z.object({
    console: z.boolean().default(true).describe("Print the report on the console"),
  }).strict(),
  output: z.object({
    files: z.object({
      json: z.string(),
      yaml: z.string(),
      junit: z.string(),
      markdown: z.string(),
    }),
    summary: CountsSchema,
  }),
  reads: ["targets", "facts.arch", "facts.ena", "facts.phc", "facts.verify", "journal.cleanup"],
  writes: ["reports/<run-id>/"],
  async run(ctx, input) {
    const { runReport } = await import("../plugins/report/run-report.ts");
    return await runReport(ctx, input);
  },
});
