/**
 * The `report` step (pipeline scope; use with `always: true`): summarises
 * every target's verdict, diagnostics and clock quality on the console and in
 * `--report-dir` or `<workDir>/reports/<run-id>/` (`report.json` per `schema/report.schema.json`,
 * `report.yaml`, `junit.xml`, `report.md`). IP addresses are redacted unless
 * `--no-redact`. The report building and writing (yaml, the run's exit code)
 * are loaded only in `run` (plugins/report/report-run.ts).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { CountsSchema } from "../plugins/report/sections.ts";

/** Output schema of the `report` step. */
export const ReportOutputSchema = z.object({
  files: z.object({
    json: z.string(),
    yaml: z.string(),
    junit: z.string(),
    markdown: z.string(),
    html: z.string(),
  }),
  summary: CountsSchema,
});

/** What the `report` step returns. */
export type ReportStepResult = z.input<typeof ReportOutputSchema>;

/** The report step plugin. */
export default defineStep({
  type: "report",
  description:
    "Summarise verdicts, diagnostics and clock quality; write JSON, YAML, JUnit, Markdown",
  scope: "pipeline",
  input: z.object({
    console: z.boolean().default(true).describe("Print the report on the console"),
  }).strict(),
  output: ReportOutputSchema,
  reads: [
    "targets",
    "facts.phcSupport",
    "facts.arch",
    "facts.ena",
    "facts.phc",
    "facts.verify",
    "journal.cleanup",
  ],
  writes: ["files.reports/<run-id>/"],
  async run(ctx, input) {
    const { runReport } = await import("../plugins/report/report-run.ts");
    return await runReport(ctx, input);
  },
});
