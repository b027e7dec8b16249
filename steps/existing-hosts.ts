/**
 * `existing-hosts`: makes targets of hosts that already run, so the host
 * steps can configure and verify them without launching or terminating
 * anything. Hosts are selected by address list, by EC2 instance ids, or by
 * EC2 tags (running instances only), in one or more regions. The host steps
 * after it reach them over whichever transport the pipeline uses; a large
 * fleet is rolled out in batches with the pipeline's `rollout:` (runner/rollout.ts).
 * @module
 */
import { defineStep, StepError, z } from "../plugins/api.ts";
import type { TargetInit } from "../runner/types.ts";
import { REGION_NAME } from "../plugins/aws/shared/region-name.ts";

/** `[user@]host[:port]`: IPv4, DNS name, or `[IPv6]`. */
const HOST_PATTERN = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/** Input of `existing-hosts`. */
export const ExistingHostsInput = z.object({
  hosts: z.array(
    z.string()
      .min(1, { message: 'this entry is empty: give "[user@]host[:port]"', abort: true })
      .regex(HOST_PATTERN, 'expected "[user@]host[:port]", e.g. "ec2-user@10.0.1.12:22"')
      .refine((spec) => {
        const port = HOST_PATTERN.exec(spec)?.[3];
        return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
      }, "port must be 1-65535"),
  ).default([]).describe("Hosts as [user@]host[:port]."),
  instance_ids: z.array(z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an instance id "i-..."'))
    .default([]).describe("EC2 instance ids (running)."),
  tags: z.record(z.string(), z.string()).default({}).describe(
    "EC2 tags every selected running instance carries, e.g. {team: timing}.",
  ),
  region: z.union([
    z.literal(""),
    z.string().regex(REGION_NAME, 'expected a region, e.g. "eu-west-1"'),
  ]).optional().describe(
    "Region of the instances given by instance_ids or tags (default: --region/AWS_REGION; " +
      '"" = the default). Refused with hosts alone, where no region applies.',
  ),
  regions: z.array(
    z.string().regex(REGION_NAME, 'expected a region, e.g. "eu-west-1"'),
  )
    .default([]).describe(
      "Regions searched for instance_ids or tags, in order (with region: both). " +
        "Refused with hosts alone.",
    ),
}).strict().superRefine((input, ctx) => {
  // Hosts given by address have no region: caught before the run, not by its first step.
  const byAws = input.instance_ids.length > 0 || Object.keys(input.tags).length > 0;
  if (byAws) return;
  const key = input.region ? "region" : input.regions.length > 0 ? "regions" : undefined;
  if (!key) return;
  const given = [...new Set([...(input.region ? [input.region] : []), ...input.regions])];
  ctx.addIssue({
    code: "custom",
    path: [key],
    message: `region "${given.join(", ")}" applies only to hosts selected by instance_ids or ` +
      "tags; hosts given by address have no region: drop it",
  });
});

/** Output of `existing-hosts`. */
export const ExistingHostsOutput = z.object({
  targets: z.array(
    z.object({ target_id: z.string(), address: z.string(), instance_id: z.string().optional() }),
  ),
});

/** True when `address` is an IPv4 or IPv6 literal (what `--no-redact` would show). */
export function isIpAddress(address: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(address) || address.includes(":");
}

/**
 * Label of a host given by address: `user@host` as given (port left out), so
 * logs and report rows name it (`[ec2-user@host-a]`); when IP addresses are
 * redacted and the host is an IP literal, its target id (`host-2`) instead,
 * which keeps the hosts apart without showing the address.
 */
export function hostLabel(
  host: { user?: string; address: string },
  targetId: string,
  redact: boolean,
): string {
  if (redact && isIpAddress(host.address)) return targetId;
  return host.user ? `${host.user}@${host.address}` : host.address;
}

/** Parses `[user@]host[:port]` into target fields. */
export function parseHostSpec(spec: string): { user?: string; address: string; port?: number } {
  const m = HOST_PATTERN.exec(spec);
  if (!m) throw new StepError("config", `host "${spec}" is not [user@]host[:port]`);
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new StepError("config", `host "${spec}": port must be 1-65535`);
  }
  return { user: m[1], address: m[2].replace(/^\[|\]$/g, ""), port };
}

export default defineStep({
  type: "existing-hosts",
  description: "Select hosts that already run (addresses, instance ids or tags) as targets.",
  scope: "pipeline",
  input: ExistingHostsInput,
  output: ExistingHostsOutput,
  writes: ["targets"],
  async run(ctx, input, signal) {
    const region = input.region === "" ? undefined : input.region;
    // A region with hosts by address alone is refused by the input schema.
    const regions = [...new Set([...(region ? [region] : []), ...input.regions])];
    const byAws = input.instance_ids.length > 0 || Object.keys(input.tags).length > 0;
    const inits: TargetInit[] = input.hosts.map((spec, i) => {
      const host = parseHostSpec(spec);
      const id = `host-${i + 1}`;
      return {
        id,
        label: hostLabel(host, id, ctx.settings.redact),
        ...host,
        launchedByRun: false,
      };
    });
    if (byAws) {
      const { selectRunningInstances } = await import(
        "../plugins/aws/existing/select-instances.ts"
      );
      const found = await selectRunningInstances(ctx, {
        instanceIds: input.instance_ids,
        tags: input.tags,
        regions,
      }, signal);
      for (const inst of found) {
        inits.push({
          id: inst.instanceId,
          label: `${inst.instanceType} ${inst.instanceId}`,
          instanceId: inst.instanceId,
          instanceType: inst.instanceType,
          region: inst.region,
          expectedArchitecture: inst.architecture,
          address: inst.address,
          placementGroup: inst.placementGroup,
          launchedByRun: false,
        });
      }
    }
    if (inits.length === 0) {
      throw new StepError(
        "config",
        "existing-hosts selected nothing: give hosts, instance_ids or tags",
      );
    }
    const targets = ctx.addTargets(inits);
    ctx.log.info(`selected ${targets.length} existing host(s)`);
    return {
      targets: targets.map((t) => ({
        target_id: t.id,
        address: t.address ?? "",
        instance_id: t.instanceId,
      })),
    };
  },
});
