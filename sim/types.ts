/**
 * Contracts inside the simulator: between the fake AWS endpoint (`sim/aws/`)
 * and the simulated hosts (`sim/host/`), and the public {@link Simulator}
 * handle that `ptp-runner sim`, `run --simulate` and the tests use.
 * @module
 */
import type { InstanceProfile } from "./profile.ts";

/** A simulated instance's operating system, reachable over SSH once booted. */
export interface SimInstanceHost {
  readonly instanceId: string;
  /** Loopback address the API reports (private and public IP), e.g. `127.0.0.12`. */
  readonly address: string;
  /** True once booted and sshd accepts connections. */
  readonly sshReady: boolean;
  /** Simulated time (seconds since start) sshd first accepted connections, once it did. */
  readonly sshReadyAt?: number;
  /** Simulated time the first SSH client authenticated, once one did. */
  readonly firstSessionAt?: number;
  /** TCP connections to its sshd open right now (0 for hosts without SSH). */
  readonly connections?: number;
  /**
   * The console output as `GetConsoleOutput` returns it (plain text, not base64):
   * empty before boot; afterwards includes the host key fingerprints between
   * `-----BEGIN SSH HOST KEY FINGERPRINTS-----` / `-----END SSH HOST KEY FINGERPRINTS-----`.
   */
  consoleOutput(): string;
  /** API `RebootInstances`: drops SSH sessions, refuses connections while rebooting. */
  reboot(): void;
  /** Terminate: close every session and stop listening. */
  stop(): Promise<void>;
  /**
   * The host side of the SSM agent (running Run Command scripts as root);
   * absent on hosts that cannot run one (test fakes).
   */
  readonly agent?: SimAgentHost;
}

/** One `aws:runShellScript` plugin run the agent starts on a host. */
export interface SimAgentRunRequest {
  /** The Run Command's id (names the orchestration directory). */
  commandId: string;
  /** `commands` joined by newlines: the content of the agent's `_script.sh`. */
  script: string;
  /** `workingDirectory` parameter; empty = the plugin's orchestration directory. */
  workingDirectory: string;
  /** Aborting it kills the running script (CancelCommand, execution timeout). */
  signal: AbortSignal;
}

/** How a script run ended: an exit status, or killed (by `signal` or the host powering off). */
export type SimAgentRunOutcome =
  & { stdout: string; stderr: string }
  & ({ exitCode: number } | { killed: "signal" | "power" });

/** What the SSM agent of a host does there. */
export interface SimAgentHost {
  /** True while the agent can reach SSM: the host is booted and its NIC carries traffic. */
  online(): boolean;
  /** Resolves once {@link online} is true (at once when it already is); rejects on `signal`. */
  whenOnline(signal?: AbortSignal): Promise<void>;
  /** The host's `/etc/os-release` text (PlatformName, PlatformVersion). */
  osRelease(): string;
  /** The host name the agent reports (`ComputerName`). */
  hostname(): string;
  /**
   * Writes the script to the plugin's orchestration directory and runs it
   * with `sh` as root, as the agent does. Never throws.
   */
  run(request: SimAgentRunRequest): Promise<SimAgentRunOutcome>;
}

/** What the AWS endpoint needs to create a host. */
export interface SimLaunchSpec {
  instanceId: string;
  instanceType: string;
  address: string;
  profile: InstanceProfile;
  /** OpenSSH public key line of the key pair (`ssh-ed25519 AAAA... name`). */
  authorizedKey: string;
  /**
   * The image's default user, the only one SSH lets in (cloud-init
   * `default_user`); default: the profile distribution's (`ec2-user`, `ubuntu`, `admin`, ...).
   */
  loginUser?: string;
}

/** The set of simulated hosts. */
export interface SimHostFleet {
  /** Creates the host; it boots in simulated time and then serves SSH. */
  launch(spec: SimLaunchSpec): SimInstanceHost;
  get(instanceId: string): SimInstanceHost | undefined;
  /** Stops every host. */
  stopAll(): Promise<void>;
}

/** One request the fake AWS endpoint received. */
export interface RecordedRequest {
  /** `ec2`, `ssm` or `sts`. */
  service: string;
  /** Action, e.g. `RunInstances`, `GetParameter`. */
  action: string;
  /** Form parameters (EC2/STS) or the JSON body (SSM). */
  params: Record<string, unknown>;
  /** Simulated time of arrival, seconds since the simulator started. */
  simTime: number;
  /** HTTP status answered. */
  status: number;
  /** Error code answered, if any. */
  errorCode?: string;
  /** Region the request was for (its SigV4 credential scope; default the home region). */
  region?: string;
}

/** Faults that can be switched on at run time (tests, `sim` command flags). */
export interface SimFaults {
  /** Instance types for which RunInstances answers `InsufficientInstanceCapacity`. */
  capacity: Set<string>;
  /** Answer the next N EC2 requests with `RequestLimitExceeded` (HTTP 503). */
  throttleNext: number;
  /**
   * Answer the next N SSM requests with `ThrottlingException` (HTTP 400), on
   * top of the per-region rate limit (`ssm.requests_per_second`).
   */
  ssmThrottleNext?: number;
  /** Every request answers `ExpiredToken` (HTTP 400) while true. */
  expiredCredentials: boolean;
  /** Actions whose DryRun answers `UnauthorizedOperation` instead of `DryRunOperation`. */
  denyDryRun: Set<string>;
  /**
   * Simulated seconds RunInstances takes to answer; the instances exist from
   * the moment the request arrives (a client that gives up early has launched them).
   */
  runInstancesDelaySeconds: number;
  /**
   * Simulated seconds after RunInstances before DescribeInstances shows an
   * instance (EC2's eventual consistency): a filter does not match it, and an
   * id lookup answers `InvalidInstanceID.NotFound`. Other actions see it at once.
   */
  instanceVisibilitySeconds: number;
}

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT`: the endpoint for EC2, SSM and STS. */
  readonly endpoint: string;
  readonly region: string;
  /** SSH port every simulated instance listens on (at its own loopback address). */
  readonly sshPort: number;
  /** Name of the pre-created key pair, and its private key file (ed25519, mode 0600). */
  readonly keyPairName: string;
  readonly privateKeyPath: string;
  /** Pre-created subnet, security group (allows TCP 22) and `precision-time` placement group. */
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly placementGroupName: string;
  /**
   * Environment that points an AWS SDK / AWS CLI / ptp-runner at the simulator:
   * `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
   * `AWS_EC2_METADATA_DISABLED=true`, `PTP_RUNNER_SSH_PORT`, `PTP_RUNNER_TIME_SCALE` (= timeScale).
   */
  readonly env: Record<string, string>;
  /** Pipeline input values that fit the simulator: `subnet_id`, `key_name`, `private_key`, `security_group_ids`, `placement_group`. */
  readonly defaultInputs: Record<string, unknown>;
  /** Real seconds per simulated second (1 / speed): use as `RunSettings.timeScale`. */
  readonly timeScale: number;
  /** Faults, mutable at run time. */
  readonly faults: SimFaults;
  /** Every request received so far. */
  requests(): RecordedRequest[];
  /**
   * Every instance ever launched with its current state and, in simulated
   * seconds since the simulator started: when it became `running`, when
   * TerminateInstances was received, when its sshd first accepted
   * connections and when the first SSH client authenticated (each absent
   * until it happened); its region, address and open SSH connections.
   */
  instances(): {
    instanceId: string;
    instanceType: string;
    state: string;
    tags: Record<string, string>;
    /** Loopback address the API reports for it (its sshd listens there on `sshPort`). */
    address: string;
    runningAt: number;
    terminatedAt?: number;
    sshReadyAt?: number;
    firstSessionAt?: number;
    /** Region it runs in. */
    region: string;
    /** TCP connections to its sshd open right now. */
    connections: number;
  }[];
  /** Stops the endpoint and every host. */
  stop(): Promise<void>;
}
