/**
 * Output of discover: the JSON shape shared by the step output and
 * `discover --output json` (from `json.ts`), a table for terminals, and the
 * `type:count` line. Light (no AWS SDK import).
 * @module
 */
import { palette } from "../../runner/colour.ts";
import { renderTable } from "../report/table.ts";
import { toTypeCounts } from "./type-counts.ts";
import type { DiscoverResult } from "./types.ts";

export {
  type DiscoveredTypeJson,
  DiscoveredTypeJsonSchema,
  type DiscoverJson,
  discoverJson,
  DiscoverJsonSchema,
  typeJson,
} from "./json.ts";

/** `--output types`: `c7i.large:1,c7g.large:1` on one line (empty when nothing matched). */
export function typesLine(result: DiscoverResult, count = 1): string {
  return toTypeCounts(result.types.map((t) => t.instanceType), count).join(",");
}

const yesNo = (v: boolean | null) => v === null ? "-" : v ? "yes" : "no";

/** Memory in GiB with up to 2 decimals (`0.5`, `4`, `16`). */
function gib(mib: number | null): string {
  return mib === null ? "-" : String(Math.round((mib / 1024) * 100) / 100);
}

/**
 * A table for terminals: type, family, PhcSupport, architectures, ENA support,
 * vCPUs, memory (GiB), precision-time placement, and regions when several were
 * queried; then a count line.
 */
export function discoverTable(result: DiscoverResult, options: { color: boolean }): string {
  const p = palette(options.color);
  const phc = (v: string) => v === "supported" ? p.green(v) : v === "unknown" ? p.yellow(v) : v;
  const several = result.regions.length > 1;
  const headers = [
    "instance type",
    "family",
    "PhcSupport",
    "arch",
    "ENA",
    "vCPUs",
    "memory GiB",
    "precision-time",
    ...(several ? ["regions"] : []),
  ];
  const rows = result.types.map((t) => [
    t.instanceType,
    t.family,
    phc(t.phcSupport),
    t.architectures.join(",") || "-",
    t.enaSupport,
    t.vcpus === null ? "-" : String(t.vcpus),
    gib(t.memoryMiB),
    yesNo(t.precisionTime),
    ...(several ? [t.regions.join(",")] : []),
  ]);
  const align = headers.map((h) => h === "vCPUs" || h === "memory GiB" ? "right" : "left") as (
    | "left"
    | "right"
  )[];
  const supported = result.types.filter((t) => t.phcSupport === "supported").length;
  const unknown = result.types.filter((t) => t.phcSupport === "unknown").length;
  const ok = result.regions.filter((r) => !r.error).map((r) => r.region);
  return [
    result.types.length === 0 ? "No instance type matched." : renderTable(headers, rows, align),
    "",
    `${result.types.length} type(s), ${supported} with PhcSupport supported, ${unknown} unknown; ` +
    `region(s): ${ok.join(", ") || "none"}`,
  ].join("\n");
}

/** One line per failed region: `region us-west-9: OptInRequired: ...`. */
export function regionErrors(result: DiscoverResult): string[] {
  return result.regions.filter((r) => r.error).map((r) => `region ${r.region}: ${r.error}`);
}
