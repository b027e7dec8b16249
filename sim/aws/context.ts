/**
 * What every handler of the fake AWS endpoint works with: the simulator's
 * core (clock, account, catalogue, faults, host fleet) and, per EC2 call, the
 * parsed request.
 * @module
 */
import type { SimClock } from "../clock.ts";
import type { InstanceProfile, SsmSettings } from "../profile.ts";
import type { RegionState, SimAccount } from "../state/account.ts";
import type { SimFaults, SimHostFleet } from "../types.ts";
import { dryRunOperation, unauthorizedOperation } from "./errors.ts";
import { bool, type QueryNode } from "./query.ts";
import type { XmlValue } from "./xml.ts";

/** The simulator's shared state, as the endpoint's handlers see it. */
export interface SimCore {
  readonly clock: SimClock;
  readonly account: SimAccount;
  /** The instance type catalogue, by type name (DescribeInstanceTypes order = insertion order). */
  readonly catalogue: ReadonlyMap<string, InstanceProfile>;
  readonly faults: SimFaults;
  /** SSM settings: agent registration, request rate, IAM instance profiles (profiles file `ssm:`). */
  readonly ssm: SsmSettings;
  /** Creates the simulated operating systems; absent in endpoint-only unit tests. */
  readonly fleet?: SimHostFleet;
  /** Wall-clock time at simulated time 0 (timestamps in responses are start + simulated time). */
  readonly startedAt: Date;
  /** Background work (host shutdowns) that `stop()` must wait for. */
  readonly background: Set<Promise<unknown>>;
}

/** The wall-clock `Date` of simulated time `simSeconds`. */
export function simDate(core: SimCore, simSeconds: number): Date {
  return new Date(core.startedAt.getTime() + Math.round(simSeconds * 1000));
}

/** Runs `work` in the background, tracked in `core.background`; errors are logged, not thrown. */
export function inBackground(core: SimCore, work: Promise<unknown>): void {
  const tracked = work.catch((error) => {
    console.error(`simulator: background task failed: ${(error as Error).message}`);
  }).finally(() => core.background.delete(tracked));
  core.background.add(tracked);
}

/** One EC2 Query call being handled. */
export interface Ec2Call {
  readonly action: string;
  /** The request parameters expanded into a tree (`expandQuery`). */
  readonly params: Record<string, QueryNode>;
  /** Region from the SigV4 credential scope (default: the home region). */
  readonly region: string;
  readonly state: RegionState;
  readonly core: SimCore;
  /** Simulated time of arrival, seconds since start. */
  readonly now: number;
}

/** Handles one EC2 action: returns the members of `<ActionResponse>` or throws `AwsApiError`. */
export type Ec2Handler = (
  call: Ec2Call,
) => Record<string, XmlValue> | Promise<Record<string, XmlValue>>;

/**
 * The DryRun gate: when the request has `DryRun=true`, throws `DryRunOperation`
 * (HTTP 412), or `UnauthorizedOperation` (HTTP 403) when `faults.denyDryRun`
 * names the action. Call it after validating parameters, before changing state.
 * @throws AwsApiError as described; returns normally when DryRun is not set.
 */
export function checkDryRun(call: Ec2Call): void {
  if (!bool(call.params, "DryRun")) return;
  if (call.core.faults.denyDryRun.has(call.action)) throw unauthorizedOperation(call.action);
  throw dryRunOperation();
}
