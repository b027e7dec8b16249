/**
 * The simulated region's network as EC2 describes it: DescribeVpcs,
 * DescribeSubnets, DescribeSecurityGroups (with `ipPermissions`), and the
 * account-level DescribeRegions and DescribeAvailabilityZones.
 * @module
 */
import type { SimIpPermission, SimSecurityGroup, SimSubnet, SimVpc } from "../../state/account.ts";
import { checkDryRun, type Ec2Handler } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { bool, strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, type FilterResolvers } from "./filters.ts";
import { paginate } from "./pagination.ts";
import { tagSet } from "./tags.ts";

const ALL = { defaultSize: Infinity, min: 5, max: 1000 };

/** DescribeVpcs. @throws AwsApiError `InvalidVpcID.NotFound`. */
export const describeVpcs: Ec2Handler = (call) => {
  const ids = strings(call.params, "VpcId");
  const missing = ids.filter((id) => !call.state.vpcs.has(id));
  if (missing.length > 0) {
    throw new AwsApiError("InvalidVpcID.NotFound", `The vpc ID '${missing[0]}' does not exist`);
  }
  const vpcs = applyFilters(
    ids.length ? ids.map((id) => call.state.vpcs.get(id)!) : [...call.state.vpcs.values()],
    call.params,
    {
      "vpc-id": (v: SimVpc) => [v.vpcId],
      "is-default": (v: SimVpc) => [String(v.isDefault)],
      "cidr": (v: SimVpc) => [v.cidrBlock],
      "state": () => ["available"],
    },
    (v) => v.tags,
  );
  checkDryRun(call);
  return {
    vpcSet: vpcs.map((v) => ({
      vpcId: v.vpcId,
      ownerId: call.core.account.accountId,
      state: "available",
      cidrBlock: v.cidrBlock,
      isDefault: v.isDefault,
      instanceTenancy: "default",
      tagSet: tagSet(v.tags),
    })),
  };
};

const SUBNET_FILTERS: FilterResolvers<SimSubnet> = {
  "subnet-id": (s) => [s.subnetId],
  "vpc-id": (s) => [s.vpcId],
  "availability-zone": (s) => [s.availabilityZone],
  "availability-zone-id": (s) => [s.availabilityZoneId],
  "cidr-block": (s) => [s.cidrBlock],
  "default-for-az": (s) => [String(s.defaultForAz)],
  "map-public-ip-on-launch": (s) => [String(s.mapPublicIpOnLaunch)],
  "state": () => ["available"],
  "owner-id": () => ["123456789012"],
};

/** DescribeSubnets. @throws AwsApiError `InvalidSubnetID.NotFound` naming the first unknown id. */
export const describeSubnets: Ec2Handler = (call) => {
  const ids = strings(call.params, "SubnetId");
  const missing = ids.filter((id) => !call.state.subnets.has(id));
  if (missing.length > 0) {
    throw new AwsApiError(
      "InvalidSubnetID.NotFound",
      `The subnet ID '${missing[0]}' does not exist`,
    );
  }
  const subnets = applyFilters(
    ids.length ? ids.map((id) => call.state.subnets.get(id)!) : [...call.state.subnets.values()],
    call.params,
    SUBNET_FILTERS,
    (s) => s.tags,
  );
  checkDryRun(call);
  const { page, nextToken } = paginate(subnets, call.params, "DescribeSubnets", ALL);
  const account = call.core.account.accountId;
  return {
    subnetSet: page.map((s) => ({
      subnetId: s.subnetId,
      subnetArn: `arn:aws:ec2:${call.region}:${account}:subnet/${s.subnetId}`,
      state: "available",
      vpcId: s.vpcId,
      ownerId: account,
      cidrBlock: s.cidrBlock,
      availableIpAddressCount: s.availableIpAddressCount,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId,
      defaultForAz: s.defaultForAz,
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      assignIpv6AddressOnCreation: false,
      ipv6CidrBlockAssociationSet: [],
      tagSet: tagSet(s.tags),
    })),
    nextToken,
  };
};

function ipPermission(p: SimIpPermission, accountId: string): Record<string, XmlValue> {
  return {
    ipProtocol: p.ipProtocol,
    fromPort: p.fromPort,
    toPort: p.toPort,
    groups: p.groupIds.map((groupId) => ({ groupId, userId: accountId })),
    ipRanges: p.cidrIps.map((cidrIp) => ({ cidrIp, description: p.description })),
    ipv6Ranges: [],
    prefixListIds: [],
  };
}

const SG_FILTERS: FilterResolvers<SimSecurityGroup> = {
  "group-id": (g) => [g.groupId],
  "group-name": (g) => [g.groupName],
  "vpc-id": (g) => [g.vpcId],
  "description": (g) => [g.description],
  "owner-id": () => ["123456789012"],
  "ip-permission.from-port": (g) => g.ingress.map((p) => p.fromPort?.toString()),
  "ip-permission.to-port": (g) => g.ingress.map((p) => p.toPort?.toString()),
  "ip-permission.protocol": (g) => g.ingress.map((p) => p.ipProtocol),
  "ip-permission.cidr": (g) => g.ingress.flatMap((p) => p.cidrIps),
};

/**
 * DescribeSecurityGroups (`GroupId.N`, `GroupName.N`, filters).
 * @throws AwsApiError `InvalidGroup.NotFound` naming the first unknown group.
 */
export const describeSecurityGroups: Ec2Handler = (call) => {
  const ids = strings(call.params, "GroupId");
  const names = strings(call.params, "GroupName");
  const groups: SimSecurityGroup[] = [];
  for (const id of ids) {
    const group = call.state.securityGroups.get(id);
    if (!group) {
      throw new AwsApiError("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    }
    groups.push(group);
  }
  for (const name of names) {
    const group = call.state.securityGroupByName(name);
    if (!group) {
      throw new AwsApiError(
        "InvalidGroup.NotFound",
        `The security group '${name}' does not exist in default VPC`,
      );
    }
    groups.push(group);
  }
  const selected = applyFilters(
    ids.length || names.length ? groups : [...call.state.securityGroups.values()],
    call.params,
    SG_FILTERS,
    (g) => g.tags,
  );
  checkDryRun(call);
  const { page, nextToken } = paginate(selected, call.params, "DescribeSecurityGroups", ALL);
  const account = call.core.account.accountId;
  return {
    securityGroupInfo: page.map((g) => ({
      ownerId: account,
      groupId: g.groupId,
      groupName: g.groupName,
      groupDescription: g.description,
      vpcId: g.vpcId,
      securityGroupArn: `arn:aws:ec2:${call.region}:${account}:security-group/${g.groupId}`,
      ipPermissions: g.ingress.map((p) => ipPermission(p, account)),
      ipPermissionsEgress: g.egress.map((p) => ipPermission(p, account)),
      tagSet: tagSet(g.tags),
    })),
    nextToken,
  };
};

/**
 * DescribeRegions: the enabled regions, or with `AllRegions=true` also the
 * not-opted-in ones; `RegionName.N` and filters `region-name`, `opt-in-status`.
 */
export const describeRegions: Ec2Handler = (call) => {
  const all = bool(call.params, "AllRegions");
  const names = strings(call.params, "RegionName");
  const known = call.core.account.regionInfo;
  const unknown = names.filter((n) => !known.some((r) => r.regionName === n));
  if (unknown.length > 0) {
    throw new AwsApiError("InvalidParameterValue", `Invalid region: ${unknown[0]}`);
  }
  let regions = known.filter((r) => all || names.length > 0 || r.optInStatus !== "not-opted-in");
  if (names.length > 0) regions = regions.filter((r) => names.includes(r.regionName));
  regions = applyFilters(regions, call.params, {
    "region-name": (r) => [r.regionName],
    "opt-in-status": (r) => [r.optInStatus],
    "endpoint": (r) => [`ec2.${r.regionName}.amazonaws.com`],
  });
  checkDryRun(call);
  return {
    regionInfo: regions.map((r) => ({
      regionName: r.regionName,
      regionEndpoint: `ec2.${r.regionName}.amazonaws.com`,
      optInStatus: r.optInStatus,
    })),
  };
};

/** DescribeAvailabilityZones: zones `a`, `b`, `c`, `d`, `f` of the call's region. */
export const describeAvailabilityZones: Ec2Handler = (call) => {
  const zones = ["a", "b", "c", "d", "f"].map((suffix, i) => ({
    zoneName: `${call.region}${suffix}`,
    zoneId: `${zoneIdPrefix(call.region)}-az${i + 1}`,
  }));
  const selected = applyFilters(zones, call.params, {
    "zone-name": (z) => [z.zoneName],
    "zone-id": (z) => [z.zoneId],
    "region-name": () => [call.region],
    "state": () => ["available"],
  });
  checkDryRun(call);
  return {
    availabilityZoneInfo: selected.map((z) => ({
      zoneName: z.zoneName,
      zoneId: z.zoneId,
      zoneState: "available",
      regionName: call.region,
      zoneType: "availability-zone",
      optInStatus: "opt-in-not-required",
      messageSet: [],
    })),
  };
};

/** `us-east-1` -> `use1` (the prefix of EC2 zone ids such as `use1-az1`). */
function zoneIdPrefix(region: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${direction.slice(0, 1)}${number}`;
}
