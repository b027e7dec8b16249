/**
 * The `discover` step (pipeline scope): lists EC2 instance types with their
 * `PhcSupport` (absent = `unknown`), architectures, ENA support, vCPUs,
 * memory and `precision-time` placement support, read from every page of
 * `DescribeInstanceTypes`, filtered client-side. Its `instance_types` output
 * (`type:count` entries) feeds the launch step:
 * `instance_types: "${{ steps.discover.outputs.instance_types }}"`.
 * Domain source: PTP.md section 1 (query, never hard-code a family list).
 * @module
 */
import { defineStep, z } from "../plugins/api.ts";
import { DiscoverJsonSchema } from "../plugins/discover/json.ts";
import { parseRegions } from "../plugins/discover/regions.ts";

/** Input schema of the discover step (`with:`). */
export const DiscoverInputSchema = z.object({
  regions: z.union([z.string(), z.array(z.string())]).optional().superRefine((value, ctx) => {
    // The same rule as `ptp-runner discover --region`, checked before the run.
    try {
      parseRegions(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }).describe(
    "Region, comma-separated regions, a list, or `all` (every enabled region); default --region",
  ),
  family: z.string().optional().describe("Family glob(s), comma-separated, e.g. `c7*`"),
  name: z.string().optional().describe("Instance type name glob(s), e.g. `*.large`"),
  architecture: z.enum(["x86_64", "arm64"]).optional(),
  supported_only: z.boolean().default(false).describe("Keep only PhcSupport = supported"),
  count: z.number().int().positive().default(1).describe("Count in each `type:count` entry"),
  allow_empty: z.boolean().default(false).describe("Succeed when no type matched"),
}).strict();

/** Parsed `with:` of the discover step. */
export type DiscoverInput = z.output<typeof DiscoverInputSchema>;

/** The discover step plugin. */
export default defineStep({
  type: "discover",
  description: "List instance types with their PhcSupport (DescribeInstanceTypes, every page)",
  scope: "pipeline",
  input: DiscoverInputSchema,
  output: DiscoverJsonSchema,
  reads: ["settings.region", "settings.profile", "settings.aws"],
  writes: ["outputs.instance_types"],
  async run(ctx, input, signal) {
    const { listInstanceTypes } = await import("../plugins/discover/list-instance-types.ts");
    return await listInstanceTypes(ctx, input, signal);
  },
});
