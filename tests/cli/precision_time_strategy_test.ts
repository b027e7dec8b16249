/**
 * Launch preflight through the CLI against the simulator: a type whose
 * DescribeInstanceTypes `SupportedStrategies` lacks `precision-time` is not
 * launched into the run's precision-time placement group; it gets its own
 * verdict with the reason, and the other types run as usual.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli-helper.ts";
import { ReportSchema } from "../../plugins/report/model.ts";

Deno.test("a type without the precision-time strategy is skipped with its reason, not failed at RunInstances", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ptp-strategy-" });
  try {
    // m6i.large (sim default profile): PhcSupport unsupported, strategies cluster, partition, spread.
    const run = await runCli([
      "run",
      "pipelines/ptp.yaml",
      "--simulate",
      "--yes",
      "--speed",
      "200",
      "--set",
      "instance_types=c7i.large,m6i.large",
      "--set",
      "allow_unsupported=true",
      "--report-dir",
      dir,
    ]);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = ReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(dir, "report.json"))),
    );
    const m6i = report.targets.find((t) => t.instance_type === "m6i.large")!;
    assert.equal(m6i.verdict, "unsupported");
    assert.equal(m6i.instance_id, null);
    assert.match(m6i.verdict_reason ?? "", /does not list the precision-time placement strategy/);
    assert.equal(m6i.failure, null);
    const c7i = report.targets.find((t) => t.instance_type === "c7i.large")!;
    assert.equal(c7i.verdict, "functional");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
