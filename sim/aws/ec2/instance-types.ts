/**
 * DescribeInstanceTypes from the simulator's catalogue (instance profiles):
 * `InstanceType.N` selection, filters, and `MaxResults`/`NextToken` pagination.
 * Element names follow the EC2 API Reference `InstanceTypeInfo`; `PhcSupport`
 * is omitted when the profile says `absent` (PTP.md section 1: the key can be
 * absent; treat as unknown).
 * @module
 */
import type { InstanceProfile } from "../../profile.ts";
import { checkDryRun, type Ec2Handler } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, type FilterResolvers } from "./filters.ts";
import { paginate } from "./pagination.ts";

/**
 * Page size when `MaxResults` is absent: small, so that listing the default
 * catalogue takes two pages and clients must follow `NextToken`.
 */
export const INSTANCE_TYPES_PAGE_SIZE = 20;

/** The `InstanceTypeInfo` element for one type. */
export function instanceTypeInfo(name: string, p: InstanceProfile): Record<string, XmlValue> {
  const threads = p.architecture === "x86_64" && p.vcpus > 1 ? 2 : 1;
  const family = name.split(".")[0];
  return {
    instanceType: name,
    currentGeneration: !/^(t2|m4|c4|r4|m3|c3)$/.test(family),
    freeTierEligible: name === "t2.micro" || name === "t3.micro",
    supportedUsageClasses: ["on-demand", "spot"],
    supportedRootDeviceTypes: ["ebs"],
    supportedVirtualizationTypes: ["hvm"],
    bareMetal: name.endsWith(".metal"),
    hypervisor: p.hypervisor,
    processorInfo: {
      supportedArchitectures: [p.architecture],
      manufacturer: p.architecture === "arm64" ? "AWS" : /\d[a-z]*a/.test(family) ? "AMD" : "Intel",
    },
    vCpuInfo: {
      defaultVCpus: p.vcpus,
      defaultCores: Math.max(1, p.vcpus / threads),
      defaultThreadsPerCore: threads,
    },
    memoryInfo: { sizeInMiB: p.memory_mib },
    instanceStorageSupported: false,
    ebsInfo: { ebsOptimizedSupport: p.hypervisor === "nitro" ? "default" : "unsupported" },
    networkInfo: {
      networkPerformance: p.vcpus >= 32 ? "25 Gigabit" : "Up to 12.5 Gigabit",
      maximumNetworkInterfaces: Math.min(15, Math.max(2, p.vcpus)),
      ipv4AddressesPerInterface: 10,
      ipv6AddressesPerInterface: 10,
      ipv6Supported: p.hypervisor === "nitro",
      enaSupport: p.ena_support,
      efaSupported: false,
    },
    placementGroupInfo: { supportedStrategies: p.placement_strategies },
    hibernationSupported: true,
    burstablePerformanceSupported: family.startsWith("t"),
    dedicatedHostsSupported: true,
    autoRecoverySupported: true,
    supportedBootModes: p.architecture === "arm64" ? ["uefi"] : ["legacy-bios", "uefi"],
    nitroEnclavesSupport: "unsupported",
    nitroTpmSupport: p.hypervisor === "nitro" ? "supported" : "unsupported",
    phcSupport: p.phc_support === "absent" ? undefined : p.phc_support,
  };
}

type Entry = [string, InstanceProfile];

const RESOLVERS: FilterResolvers<Entry> = {
  "instance-type": ([name]) => [name],
  "processor-info.supported-architecture": ([, p]) => [p.architecture],
  "hypervisor": ([, p]) => [p.hypervisor],
  "network-info.ena-support": ([, p]) => [p.ena_support],
  "vcpu-info.default-vcpus": ([, p]) => [String(p.vcpus)],
  "memory-info.size-in-mib": ([, p]) => [String(p.memory_mib)],
  "placement-group-info.supported-strategies": ([, p]) => p.placement_strategies,
  "bare-metal": ([name]) => [String(name.endsWith(".metal"))],
  "burstable-performance-supported": ([name]) => [String(name.startsWith("t"))],
  "current-generation": ([name]) => [String(!name.startsWith("t2."))],
};

/**
 * DescribeInstanceTypes.
 * @throws AwsApiError `InvalidInstanceType` listing every requested type the catalogue lacks.
 */
export const describeInstanceTypes: Ec2Handler = (call) => {
  const catalogue = call.core.catalogue;
  const requested = strings(call.params, "InstanceType");
  const unknown = requested.filter((name) => !catalogue.has(name));
  if (unknown.length > 0) {
    throw new AwsApiError(
      "InvalidInstanceType",
      `The following supplied instance types do not exist: [${unknown.join(", ")}]`,
    );
  }
  let entries: Entry[] = requested.length > 0
    ? [...new Set(requested)].map((name) => [name, catalogue.get(name)!])
    : [...catalogue.entries()];
  entries = applyFilters(entries, call.params, RESOLVERS);
  checkDryRun(call);
  const { page, nextToken } = paginate(entries, call.params, "DescribeInstanceTypes", {
    defaultSize: INSTANCE_TYPES_PAGE_SIZE,
    min: 5,
    max: 100,
  });
  return {
    instanceTypeSet: page.map(([name, profile]) => instanceTypeInfo(name, profile)),
    nextToken,
  };
};
