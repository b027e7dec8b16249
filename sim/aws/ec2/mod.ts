/**
 * The EC2 actions the simulator implements, by Query `Action` name. Anything
 * else answers `InvalidAction` (see `sim/aws/server.ts`).
 * @module
 */
import type { Ec2Handler } from "../context.ts";
import { describeImages } from "./images.ts";
import { describeInstanceStatus } from "./instance-status.ts";
import { describeInstanceTypes } from "./instance-types.ts";
import {
  describeInstances,
  getConsoleOutput,
  rebootInstances,
  terminateInstances,
} from "./instances.ts";
import { describeKeyPairs } from "./key-pairs.ts";
import {
  describeAvailabilityZones,
  describeRegions,
  describeSecurityGroups,
  describeSubnets,
  describeVpcs,
} from "./network.ts";
import {
  createPlacementGroup,
  deletePlacementGroup,
  describePlacementGroups,
} from "./placement-groups.ts";
import { runInstances } from "./run-instances.ts";
import { createTags, deleteTags } from "./tags.ts";

/** EC2 handlers by action name. */
export const EC2_HANDLERS: Readonly<Record<string, Ec2Handler>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  TerminateInstances: terminateInstances,
  RebootInstances: rebootInstances,
  GetConsoleOutput: getConsoleOutput,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeImages: describeImages,
  DescribeKeyPairs: describeKeyPairs,
  DescribeSubnets: describeSubnets,
  DescribeVpcs: describeVpcs,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribePlacementGroups: describePlacementGroups,
  CreatePlacementGroup: createPlacementGroup,
  DeletePlacementGroup: deletePlacementGroup,
  CreateTags: createTags,
  DeleteTags: deleteTags,
};
