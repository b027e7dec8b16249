/** plugins/aws/release/sweep-filter.ts: `sweep --run` keeps one run's instances, of any owner. */
import assert from "node:assert/strict";
import { filteredOutLine, filterSwept } from "../../plugins/aws/release/sweep-filter.ts";
import type { SweptInstance } from "../../plugins/aws/release/sweep.ts";

const swept = (instanceId: string, runId: string | undefined, owner: string): SweptInstance => ({
  instanceId,
  region: "us-east-1",
  instanceType: "c7i.large",
  state: "running",
  ageSeconds: 600,
  owner,
  ...(runId ? { runId } : {}),
});

const FOUND = [
  swept("i-01", "20261207-000000-aaaa", "arn:aws:iam::1:user/a"),
  swept("i-02", "20261207-000000-aaaa", "arn:aws:iam::1:user/b"),
  swept("i-03", "20261207-000000-bbbb", "arn:aws:iam::1:user/a"),
  swept("i-04", undefined, "arn:aws:iam::1:user/a"),
];

Deno.test("filterSwept with a run id keeps only that run's tagged instances", () => {
  const kept = filterSwept(FOUND, { owner: "any", runId: "20261207-000000-aaaa" });
  assert.deepEqual(kept.map((i) => i.instanceId), ["i-01", "i-02"]);
  assert.equal(
    filteredOutLine(FOUND.length, kept.length, { owner: "any", runId: "20261207-000000-aaaa" }),
    "2 instance(s) of other runs left alone",
  );
  const all = filterSwept(FOUND, { owner: "any" });
  assert.equal(all.length, 4);
});
