/**
 * Shapes of the `discover` step and command: what is known about an instance
 * type, the filters, and the per-region outcome. Light (no AWS SDK import).
 *
 * Domain source: `shared/PTP.md` section 1 (`PhcSupport` may be absent =
 * unknown; `precision-time` placement strategy); EC2 API Reference
 * "InstanceTypeInfo".
 * @module
 */

/** `InstanceTypeInfo.PhcSupport`; `unknown` when the key is absent. */
export type PhcSupport = "supported" | "unsupported" | "unknown";

/** One instance type as discover reports it. */
export interface DiscoveredType {
  /** e.g. `c7i.large`. */
  instanceType: string;
  /** The part before the dot, e.g. `c7i`. */
  family: string;
  phcSupport: PhcSupport;
  /** `ProcessorInfo.SupportedArchitectures`, e.g. [`x86_64`] or [`arm64`]. */
  architectures: string[];
  /** `NetworkInfo.EnaSupport`: `required` | `supported` | `unsupported`, or `unknown`. */
  enaSupport: string;
  /** `VCpuInfo.DefaultVCpus`. */
  vcpus: number | null;
  /** `MemoryInfo.SizeInMiB`, mebibytes. */
  memoryMiB: number | null;
  /**
   * True when `PlacementGroupInfo.SupportedStrategies` lists `precision-time`;
   * null when EC2 reports no strategies for the type.
   */
  precisionTime: boolean | null;
  /** Regions that offer the type (among those queried successfully). */
  regions: string[];
}

/** Client-side filters (EC2 has no server-side `PhcSupport` filter). */
export interface DiscoverFilters {
  /** Glob(s) on the family, comma-separated: `c7*`, `c7i,m7i`. */
  family?: string;
  /** Glob(s) on the full type name, comma-separated: `c7i.*large`. */
  name?: string;
  /** EC2 architecture the type must support: `x86_64` or `arm64`. */
  architecture?: string;
  /** Keep only types whose `PhcSupport` is `supported`. */
  supportedOnly: boolean;
}

/** Outcome for one region: the number of types it listed, or the error that stopped it. */
export interface RegionOutcome {
  region: string;
  /** Types listed by the region (before filtering); absent on error. */
  listed?: number;
  /** `Code: message` of the error, e.g. `OptInRequired: ...`. */
  error?: string;
}

/** Result of a discovery over one or more regions. */
export interface DiscoverResult {
  /** Matching types, merged across regions, sorted by family then size. */
  types: DiscoveredType[];
  /** One entry per region queried, in the order asked. */
  regions: RegionOutcome[];
}
