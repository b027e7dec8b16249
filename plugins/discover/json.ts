/**
 * The JSON shape of discover's output, shared by the step output and
 * `discover --output json`. Only zod: the `discover` step's definition names
 * it without loading the terminal table code (colours).
 * @module
 */
import { z } from "zod";
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
