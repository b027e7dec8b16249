/**
 * Output of discover: the JSON shape shared by the step output and
 * `discover --output json`, a table for terminals, and the `type:count` line.
 * Light (no AWS SDK import).
 * @module
 */
import { z } from "zod";
import { palette } from "../../runner/colour.ts";
import { renderTable } from "../report/table.ts";
import { toTypeCounts } from "./type-counts.ts";
import type { DiscoveredType, DiscoverResult } from "./types.ts";

/** One type in the JSON output (snake_case, units in the names). */
export const DiscoveredTypeJsonSchema = z.object({
  instance_type: z.string(),
  family: z.string(),
  phc_support: z.enum(["supported", "unsupported", "unknown"]),
  architectures: z.array(z.string()),
  ena_support: z.string(),
  vcpus: z.number().int().nullable(),
  memory_mib: z.number().int().nullable(),
  precision_time: z.boolean().nullable(),
  regions: z.array(z.string()),
});

/** The JSON document: what the step returns and `--output json` prints. */
export const DiscoverJsonSchema = z.object({
  /** `type:count` entries for the launch step's `instance_types` input. */
  instance_types: z.array(z.string()),
  types: z.array(DiscoveredTypeJsonSchema),
  regions: z.array(z.object({
    region: z.string(),
    /** Types listed by the region (before filtering); absent on error. */
    listed: z.number().int().optional(),
    /** `Code: message` of the error, e.g. `OptInRequired: ...`. */
    error: z.string().optional(),
  })),
});

/** One type in the JSON output. */
export type DiscoveredTypeJson = z.output<typeof DiscoveredTypeJsonSchema>;
/** The JSON document, see {@link DiscoverJsonSchema}. */
export type DiscoverJson = z.output<typeof DiscoverJsonSchema>;

/** Converts a {@link DiscoveredType} to its JSON shape. */
export function typeJson(t: DiscoveredType): DiscoveredTypeJson {
  return {
    instance_type: t.instanceType,
    family: t.family,
    phc_support: t.phcSupport,
    architectures: t.architectures,
    ena_support: t.enaSupport,
    vcpus: t.vcpus,
    memory_mib: t.memoryMiB,
    precision_time: t.precisionTime,
    regions: t.regions,
  };
}

/** The JSON document for `result`, each type with `count` instances. */
export function discoverJson(result: DiscoverResult, count = 1): DiscoverJson {
  return {
    instance_types: toTypeCounts(result.types.map((t) => t.instanceType), count),
    types: result.types.map(typeJson),
    regions: result.regions,
  };
}

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
