import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { buildReport } from "../../plugins/report/build.ts";
import { REPORT_SCHEMA_PATH, reportJsonSchemaText } from "../../plugins/report/json-schema.ts";
import { RUN_ID, sampleCleanup, sampleTargets } from "./fixtures.ts";

const schemaUrl = new URL(`../../${REPORT_SCHEMA_PATH}`, import.meta.url);
const shipped = () => JSON.parse(Deno.readTextFileSync(schemaUrl));

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  return ajv.compile(shipped());
}

const report = () =>
  JSON.parse(JSON.stringify(buildReport({
    runId: RUN_ID,
    pipeline: "ptp",
    targets: sampleTargets(),
    now: new Date("2026-11-29T10:19:12Z"),
    startedAt: new Date("2026-11-29T10:15:00Z"),
    redact: true,
    cleanup: sampleCleanup(),
  })));

Deno.test("schema/report.schema.json is up to date with the zod report model", () => {
  assert.equal(
    Deno.readTextFileSync(schemaUrl),
    reportJsonSchemaText(),
    "stale: run `deno run -P=cli plugins/report/json-schema.ts --write`",
  );
});

Deno.test("report schema is draft-07", () => {
  assert.equal(shipped().$schema, "http://json-schema.org/draft-07/schema#");
});

Deno.test("a report with every verdict and a cleanup section validates against the schema", () => {
  const validate = validator();
  const valid = validate(report());
  assert.ok(valid, JSON.stringify(validate.errors));
});

Deno.test("an invalid report fails schema validation", () => {
  const validate = validator();
  const wrongVerdict = report();
  wrongVerdict.targets[0].verdict = "great";
  assert.equal(validate(wrongVerdict), false);
  assert.ok(validate.errors?.some((e) => e.instancePath === "/targets/0/verdict"));

  const noVersion = report();
  delete noVersion.schema_version;
  assert.equal(validate(noVersion), false);

  const wrongVersion = { ...report(), schema_version: 2 };
  assert.equal(validate(wrongVersion), false);

  const extraKey = { ...report(), surprise: true };
  assert.equal(validate(extraKey), false);
});
