/**
 * The built-in simulator: a fake EC2/SSM/STS endpoint on 127.0.0.1 plus
 * simulated Amazon Linux 2023 hosts reachable over SSH, sharing one clock.
 * `startSimulator()` pre-creates what a run needs (subnet, security groups,
 * placement groups, the `ptp-runner-sim` ed25519 key pair and its private key
 * file) so `ptp-runner run --simulate` and `ptp-runner sim` work with no setup.
 * Documented in `sim/README.md`.
 * @module
 */
import { join } from "node:path";
import { DEFAULT_SIM_SPEED, SimClock } from "./clock.ts";
import { serveAwsEndpoint } from "./aws/server.ts";
import { stopRunCommands } from "./aws/ssm/invocation-run.ts";
import type { SimCore } from "./aws/context.ts";
import { loadProfiles } from "./profiles.ts";
import type { z } from "zod";
import { defaultSsmSettings, ExistingInstancesSchema, type SsmSettings } from "./profile.ts";
import { SimAccount } from "./state/account.ts";
import { instanceStateAt } from "./state/instance.ts";
import { generateKeyPair } from "./state/key-pair.ts";
import { seedHomeRegion, seedImages, SIM_REGIONS, SIM_SEED } from "./state/seed.ts";
import { seedExistingInstances } from "./state/existing-instances.ts";
import type { RecordedRequest, SimFaults, SimHostFleet, Simulator } from "./types.ts";

/** Region holding the pre-created resources. */
export const SIM_REGION = "us-east-1";

/**
 * Static test credentials the simulator hands out (AWS documentation's example
 * keys: never valid on real AWS). The endpoint accepts any credentials.
 */
export const SIM_CREDENTIALS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
} as const;

/** What a host fleet factory receives (see `createHostFleet` in `sim/host/mod.ts`). */
export interface HostFleetOptions {
  /** Port every host's sshd listens on, at the host's own loopback address. */
  sshPort: number;
  clock: SimClock;
  /** Directory for host keys (inside the simulator's state directory). */
  hostKeyDir?: string;
}

/** Options of {@link startSimulator}. */
export interface StartSimulatorOptions {
  /** Simulated seconds per real second (> 0). Default 50. */
  speed?: number;
  /** A profiles YAML file laid over the built-in catalogue (sim/README.md). */
  profilesFile?: string;
  /** Where the private key file (and host keys) go. Default: a new temporary directory, removed by `stop()`. */
  stateDir?: string;
  /** SSH port of every simulated host. Default: a free port found by a bind test on 127.0.0.1. */
  sshPort?: number;
  /** Port of the AWS endpoint on 127.0.0.1. Default 0: a free one. */
  port?: number;
  /** Faults switched on from the start (each field optional). */
  faults?: Partial<SimFaults>;
  /**
   * Creates the host fleet. Default: `createHostFleet` of `sim/host/mod.ts`.
   * Tests of the endpoint alone pass a fake.
   */
  hostFleet?: (options: HostFleetOptions) => SimHostFleet;
  /** The clock to use instead of a new one (tests: a clock driven by a manual time source). */
  clock?: SimClock;
  /** Called with every request once answered (e.g. to log it). */
  onRequest?: (request: RecordedRequest) => void;
  /**
   * Instances that already run from the start (after those of the profiles
   * file's `existing_instances`; same shape), e.g. a tagged fleet for `existing-hosts`:
   * `[{ instance_type: "c7i.large", count: 1000, regions: ["us-east-1", "eu-west-1"],
   * tags: { fleet: "timing" }, iam_instance_profile: "ssm-core" }]`.
   */
  existingInstances?: z.input<typeof ExistingInstancesSchema>[];
}

/** A running simulator, with a few extras beyond the {@link Simulator} contract. */
export interface SimulatorHandle extends Simulator {
  /** The shared clock (simulated time for boot, shutdown, commands). */
  readonly clock: SimClock;
  /** The state directory (private key file, host keys). */
  readonly stateDir: string;
  /** The pre-created security group that allows nothing inbound. */
  readonly closedSecurityGroupId: string;
  /** The pre-created `cluster` placement group. */
  readonly clusterPlacementGroupName: string;
  /** SSM settings (profiles file `ssm:`), mutable at run time (e.g. `requests_per_second`). */
  readonly ssm: SsmSettings;
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (bind test with port 0).
 * @throws Deno.errors.PermissionDenied without `--allow-net` for 127.0.0.1.
 */
export function findFreePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function defaultHostFleet(): Promise<(options: HostFleetOptions) => SimHostFleet> {
  const { createHostFleet } = await import("./host/mod.ts");
  return createHostFleet;
}

/**
 * Starts a simulator: loads the catalogue, writes the key pair's private key
 * (`<stateDir>/ptp-runner-sim.pem`, mode 0600), starts the host fleet and the
 * endpoint. Call `stop()` when done.
 * @throws ValidationError for an invalid profiles file (naming file:line and key);
 *   RangeError for a bad speed; Deno.errors.AddrInUse when `port` is taken.
 */
export async function startSimulator(
  options: StartSimulatorOptions = {},
): Promise<SimulatorHandle> {
  const clock = options.clock ?? new SimClock({ speed: options.speed ?? DEFAULT_SIM_SPEED });
  const profiles = await loadProfiles(options.profilesFile);
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? await Deno.makeTempDir({ prefix: "ptp-runner-sim-" });
  await Deno.mkdir(stateDir, { recursive: true });

  const startedAt = new Date();
  const { keyPair, privateKey } = generateKeyPair(SIM_SEED.keyName, SIM_SEED.keyPairId, startedAt);
  const privateKeyPath = join(stateDir, `${SIM_SEED.keyName}.pem`);
  await Deno.writeTextFile(privateKeyPath, privateKey, { mode: 0o600 });
  await Deno.chmod(privateKeyPath, 0o600);

  const sshPort = options.sshPort ?? findFreePort();
  const makeFleet = options.hostFleet ?? await defaultHostFleet();
  const fleet = makeFleet({ sshPort, clock, hostKeyDir: join(stateDir, "host-keys") });

  const account = new SimAccount(SIM_REGION, SIM_REGIONS, (state) => {
    seedImages(state);
    if (state.region === SIM_REGION) seedHomeRegion(state, keyPair);
  });
  account.region(SIM_REGION);
  const faults: SimFaults = {
    capacity: new Set(options.faults?.capacity ?? []),
    throttleNext: options.faults?.throttleNext ?? 0,
    ssmThrottleNext: options.faults?.ssmThrottleNext ?? 0,
    expiredCredentials: options.faults?.expiredCredentials ?? false,
    denyDryRun: new Set(options.faults?.denyDryRun ?? []),
    runInstancesDelaySeconds: options.faults?.runInstancesDelaySeconds ?? 0,
    instanceVisibilitySeconds: options.faults?.instanceVisibilitySeconds ?? 0,
  };
  const core: SimCore = {
    clock,
    account,
    catalogue: new Map(Object.entries(profiles.instance_types)),
    faults,
    ssm: profiles.ssm ?? defaultSsmSettings(),
    fleet,
    startedAt,
    background: new Set(),
  };
  try {
    seedExistingInstances(core, [
      ...profiles.existing_instances,
      ...(options.existingInstances ?? []).map((g) => ExistingInstancesSchema.parse(g)),
    ], keyPair);
  } catch (error) {
    await fleet.stopAll();
    clock.dispose();
    if (ownStateDir) await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    throw error;
  }
  const recorded: RecordedRequest[] = [];
  let server;
  try {
    server = serveAwsEndpoint(core, (r) => {
      recorded.push(r);
      options.onRequest?.(r);
    }, options.port ?? 0);
  } catch (error) {
    await fleet.stopAll();
    clock.dispose();
    if (ownStateDir) await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await server.close();
      stopRunCommands(account);
      await fleet.stopAll();
      await Promise.allSettled([...core.background]);
      clock.dispose();
      if (ownStateDir) await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    })();

  return {
    endpoint: server.url,
    region: SIM_REGION,
    sshPort,
    keyPairName: SIM_SEED.keyName,
    privateKeyPath,
    subnetId: SIM_SEED.subnetId,
    securityGroupId: SIM_SEED.sshSecurityGroupId,
    placementGroupName: SIM_SEED.precisionTimeGroupName,
    closedSecurityGroupId: SIM_SEED.closedSecurityGroupId,
    clusterPlacementGroupName: SIM_SEED.clusterGroupName,
    env: {
      AWS_ENDPOINT_URL: server.url,
      AWS_REGION: SIM_REGION,
      AWS_DEFAULT_REGION: SIM_REGION,
      AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
      PTP_RUNNER_SSH_PORT: String(sshPort),
      PTP_RUNNER_TIME_SCALE: String(1 / clock.speed),
    },
    defaultInputs: {
      subnet_id: SIM_SEED.subnetId,
      key_name: SIM_SEED.keyName,
      private_key: privateKeyPath,
      security_group_ids: [SIM_SEED.sshSecurityGroupId],
      placement_group: SIM_SEED.precisionTimeGroupName,
    },
    timeScale: 1 / clock.speed,
    faults,
    ssm: core.ssm,
    clock,
    stateDir,
    requests: () => [...recorded],
    instances: () => {
      const now = clock.now();
      return account.allInstances().map((i) => ({
        instanceId: i.instanceId,
        instanceType: i.instanceType,
        state: instanceStateAt(i, now),
        tags: { ...i.tags },
        address: i.address,
        runningAt: i.launchedAt + i.bootSeconds,
        ...(i.terminatedAt === undefined ? {} : { terminatedAt: i.terminatedAt }),
        ...(i.host?.sshReadyAt === undefined ? {} : { sshReadyAt: i.host.sshReadyAt }),
        ...(i.host?.firstSessionAt === undefined ? {} : { firstSessionAt: i.host.firstSessionAt }),
        region: i.availabilityZone.slice(0, -1),
        connections: i.host?.connections ?? 0,
      }));
    },
    stop,
  };
}
