/**
 * Instance profiles of the simulator: per instance type, what the EC2 API
 * reports (`DescribeInstanceTypes`) and how the simulated Amazon Linux 2023
 * host behaves. Loaded from YAML (`sim/profiles/default.yaml`, or a user file);
 * documented in `sim/README.md`.
 *
 * Domain source: `shared/PTP.md` sections 1-7; botocore's EC2 model for
 * `PhcSupport`, `EnaSupport` and placement strategies.
 * @module
 */
import { z } from "zod";
import { distributionFacts, type DistributionId } from "./host/model/distribution.ts";

/** A command output override: replays captured output for a command line. */
export const CommandOverrideSchema = z.object({
  /** Exact command line (after `sudo -n` is stripped), or ... */
  command: z.string().optional(),
  /** ... a regular expression (JavaScript syntax) matched against it. */
  regex: z.string().optional(),
  stdout: z.string().default(""),
  stderr: z.string().default(""),
  exit: z.number().int().default(0),
  /**
   * Simulated seconds the command takes before it answers (default 0); the
   * session's signal (a client abort, a dropped connection) kills it meanwhile.
   */
  delay_seconds: z.number().nonnegative().default(0),
}).strict().refine((o) => (o.command === undefined) !== (o.regex === undefined), {
  message: "give exactly one of `command` or `regex`",
});

/** Faults a profile can inject. */
export const ProfileFaultsSchema = z.object({
  /** RunInstances answers `InsufficientInstanceCapacity` for this type. */
  capacity: z.boolean().default(false),
  /** `dnf install` fails (repository unreachable). */
  package_install: z.boolean().default(false),
  /** Building amzn-drivers fails with a compiler error. */
  driver_build: z.boolean().default(false),
  /** chronyd runs but never selects PHC0 (stays `#?` or `#-`). */
  chrony_never_selects: z.boolean().default(false),
  /**
   * Every Nth PHC refclock sample is missed (0 = none): the reach register
   * shows gaps (e.g. 8 -> 376, 375, 373, ... never 377; 2 -> 125/252) while
   * PHC0 stays selected, as on a busy real host.
   */
  phc_missed_every: z.number().int().nonnegative().default(0),
}).strict();

/**
 * Linux distributions a simulated host can run (`distribution`). What each
 * changes (os-release, package manager, chrony paths and unit, PATH, kernel)
 * is in `sim/host/model/distribution.ts`; `unknown` is a distribution the
 * tool should refuse (`ID=obscurix`).
 */
export const DISTRIBUTIONS = [
  "amazon-linux-2023",
  "amazon-linux-2",
  "rhel-9",
  "rocky-9",
  "ubuntu-22.04",
  "ubuntu-24.04",
  "debian-12",
  "unknown",
] as const;

/**
 * Drivers of the primary NIC (`nic_driver`): `ena` (EC2 Nitro), `igb` (Intel,
 * with its own PHC named after the MAC, e.g. qemu's emulated NIC), `vif`
 * (Xen, no PHC), `veth` (a container), `virtio_net` (KVM, no PHC).
 * Source: PTP.md section 8, NOTES.md "A real Linux host with a real PHC".
 */
export const NIC_DRIVERS = ["ena", "igb", "vif", "veth", "virtio_net"] as const;

/**
 * Distributions whose AWS AMIs come with the SSM agent installed and enabled
 * (Amazon Linux 2 and 2023; Ubuntu, as a snap). RHEL, Rocky and Debian AMIs do
 * not ship it. Source: AWS Systems Manager User Guide, "Find AMIs with the SSM
 * Agent preinstalled".
 */
export const SSM_AGENT_DISTRIBUTIONS: readonly string[] = [
  "amazon-linux-2023",
  "amazon-linux-2",
  "ubuntu-22.04",
  "ubuntu-24.04",
];

/** Fields of a profile before per-distribution and per-driver defaults are filled in. */
const ProfileFieldsSchema = z.object({
  /** EC2 architecture: `x86_64` or `arm64`. */
  architecture: z.enum(["x86_64", "arm64"]),
  vcpus: z.number().int().positive().default(2),
  memory_mib: z.number().int().positive().default(4096),
  /** `PhcSupport` in DescribeInstanceTypes; `absent` omits the key. */
  phc_support: z.enum(["supported", "unsupported", "absent"]),
  /** `NetworkInfo.EnaSupport`. */
  ena_support: z.enum(["required", "supported", "unsupported"]).default("required"),
  /** `PlacementGroupInfo.SupportedStrategies`. */
  placement_strategies: z.array(z.enum(["cluster", "partition", "spread", "precision-time"]))
    .default(["cluster", "partition", "spread"]),
  /** Hypervisor (`nitro` or `xen`). */
  hypervisor: z.enum(["nitro", "xen"]).default("nitro"),
  /**
   * Linux distribution of the host, whatever image it boots (a test fixture:
   * e.g. a Debian host reached as the AL2023 AMI's `ec2-user`). Not given:
   * the distribution of the image RunInstances boots (`amazon-linux-2023` for
   * the AL2023 AMIs and hosts launched without an image).
   */
  distribution: z.enum(DISTRIBUTIONS).optional(),
  /** Replaces the distribution's `/etc/os-release` text (e.g. a custom or unknown distribution). */
  os_release: z.string().optional(),
  /**
   * `/usr/sbin` is on a non-root SSH user's PATH (default per distribution:
   * false on Debian, true elsewhere: Ubuntu's `/etc/environment` and
   * Fedora-family sshd's default PATH include it).
   */
  sbin_on_user_path: z.boolean().optional(),
  /** Kernel release (`uname -r`); default per distribution and architecture. */
  kernel: z.string().optional(),
  /** Driver of the primary NIC; default `vif` on Xen, else `ena`. */
  nic_driver: z.enum(NIC_DRIVERS).optional(),
  /** An `ena.ko` exists for the kernel (false: `modinfo ena` fails); only for a non-ENA NIC. */
  ena_module: z.boolean().default(true),
  /**
   * ENA driver: version string (null = upstream kernel, no `version:` line),
   * phc_enable parameter built in, PCI slot (2 hex digits). Default: amzn-drivers
   * 2.16.1g with `phc_enable` on Amazon Linux; the upstream driver without
   * `phc_enable` elsewhere.
   */
  ena: z.object({
    version: z.string().nullable().default("2.16.1g"),
    phc_parameter: z.boolean().default(true),
    pci_slot: z.string().regex(/^[0-9a-f]{2}$/).default("05"),
  }).strict().optional(),
  /** Primary interface name; default per distribution and driver (ens5, eth0, enX0). */
  interface: z.string().optional(),
  /**
   * `Restart=` of the chrony unit. `no` (default) as Fedora's `chronyd.service`
   * and Debian's `chrony.service` ship; `on-failure` makes systemd restart a
   * failing chronyd (counted in `NRestarts`) until its start limit.
   */
  chrony_restart: z.enum(["no", "on-failure"]).default("no"),
  /** `CONFIG_PTP_1588_CLOCK` of the kernel. */
  ptp_clock_config: z.enum(["y", "m", "n"]).default("y"),
  /** chrony version (`chronyd --version`); default per distribution (AL2023: 4.3). */
  chrony_version: z.string().optional(),
  /** amazon-ec2-utils ships `51-ec2-ena-ptp-device.rules` (default: on Amazon Linux only). */
  udev_rule: z.boolean().optional(),
  /** `ptp_kvm` loaded: a second clock `/dev/ptpN` named `KVM virtual PTP` exists. */
  ptp_kvm: z.boolean().default(false),
  /**
   * The host has an IPv4 default route (`ip -4 route show default`); false
   * models a host reached without one (the real Debian test VM): the
   * primary interface is then its only link besides `lo`.
   */
  default_route: z.boolean().default(true),
  /** `phc_error_bound` published by the device, nanoseconds. */
  phc_error_bound_ns: z.number().int().nonnegative().default(32123),
  /** Simulated seconds from RunInstances to `running`. */
  boot_seconds: z.number().nonnegative().default(20),
  /** Simulated seconds after `running` before sshd accepts connections. */
  ssh_delay_seconds: z.number().nonnegative().default(10),
  /**
   * The hardware really has a PHC. Default: false when `phc_support` is
   * `unsupported`, true otherwise (`absent` counts as supported). On hardware
   * without one, `phc_enable=1` silently yields no clock (PTP.md section 3).
   */
  phc_hardware: z.boolean().optional(),
  /**
   * The distribution's chrony.conf has its `confdir` line (`/etc/chrony.d`,
   * Debian/Ubuntu `/etc/chrony/conf.d`); default per distribution (false on
   * Amazon Linux 2 and RHEL-family 9, true elsewhere).
   */
  chrony_confdir: z.boolean().optional(),
  /** Simulated seconds a reboot keeps the host unreachable (default 15). */
  reboot_seconds: z.number().nonnegative().optional(),
  /** Simulated seconds from `modprobe ena` until the NIC carries SSH again (default 3). */
  nic_up_seconds: z.number().nonnegative().optional(),
  /**
   * The AMI ships the SSM agent (default per distribution: true on Amazon
   * Linux and Ubuntu, whose AWS AMIs preinstall it; false on RHEL, Rocky,
   * Debian and unknown).
   */
  ssm_agent: z.boolean().optional(),
  faults: ProfileFaultsSchema.default({
    capacity: false,
    package_install: false,
    driver_build: false,
    chrony_never_selects: false,
    phc_missed_every: 0,
  }),
  overrides: z.array(CommandOverrideSchema).default([]),
}).strict();

/** A profile's fields as given, before per-distribution and per-driver defaults. */
export type ProfileFields = z.output<typeof ProfileFieldsSchema>;

/** The distribution of a host whose profile and image name none. */
export const DEFAULT_DISTRIBUTION: DistributionId = "amazon-linux-2023";

/**
 * Fills in the defaults that depend on the distribution and the NIC driver.
 * `fields` is kept so that {@link profileForImage} can resolve the profile
 * again for the distribution of the image an instance boots.
 */
function resolveProfile(p: ProfileFields, distribution: DistributionId) {
  const facts = distributionFacts(distribution);
  const nicDriver = p.nic_driver ?? (p.hypervisor === "xen" ? "vif" : "ena");
  const kernel = p.kernel ?? facts.kernel(p.architecture);
  return {
    ...p,
    distribution,
    /** The profile's own `distribution`, if it names one (else the image's applies). */
    distribution_given: p.distribution !== undefined,
    fields: p,
    kernel,
    nic_driver: nicDriver,
    interface: p.interface ?? facts.interface(nicDriver),
    ena: {
      version: facts.amazonEna ? "2.16.1g" : null,
      phc_parameter: facts.amazonEna,
      pci_slot: "05",
      ...p.ena,
    },
    chrony_version: p.chrony_version ?? facts.chronyVersion,
    udev_rule: p.udev_rule ?? facts.amazonEna,
    sbin_on_user_path: p.sbin_on_user_path ?? facts.sbinOnUserPath,
    chrony_confdir: p.chrony_confdir ?? facts.confdirByDefault,
    ssm_agent: p.ssm_agent ?? SSM_AGENT_DISTRIBUTIONS.includes(distribution),
  };
}

/** One instance type's profile: defaults that depend on other fields are filled in. */
export const InstanceProfileSchema = ProfileFieldsSchema.refine(
  (p) => p.ena_module || (p.nic_driver ?? (p.hypervisor === "xen" ? "vif" : "ena")) !== "ena",
  { message: "`ena_module: false` needs a `nic_driver` other than ena", path: ["ena_module"] },
).transform((p) => resolveProfile(p, p.distribution ?? DEFAULT_DISTRIBUTION));

/**
 * The profile a host of this type gets when it boots an image of
 * `distribution`: unchanged when the profile names its own distribution (or
 * the image's is the same), else resolved again for the image's.
 */
export function profileForImage(
  profile: InstanceProfile,
  distribution: DistributionId,
): InstanceProfile {
  if (profile.distribution_given || profile.distribution === distribution) return profile;
  return resolveProfile(profile.fields, distribution);
}

/** One IAM instance profile the simulated account has (RunInstances `IamInstanceProfile`). */
export const IamInstanceProfileSchema = z.object({
  /** The role the profile carries (DescribeInstanceInformation `IamRole`). */
  role: z.string().min(1),
  /** Managed policies attached to the role, e.g. `AmazonSSMManagedInstanceCore`. */
  policies: z.array(z.string()).default([]),
}).strict();

/** The managed policy an instance role needs for the SSM agent to register. */
export const SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore";

/** Default IAM instance profiles: one that lets the agent register, one that does not. */
export const DEFAULT_IAM_INSTANCE_PROFILES = {
  "ssm-core": { role: "ssm-core-role", policies: [SSM_CORE_POLICY] },
  "no-ssm": { role: "no-ssm-role", policies: [] },
};

/** SSM (Systems Manager) settings of the simulated account. */
export const SsmSettingsSchema = z.object({
  /**
   * Simulated seconds from the instance entering `running` until its agent
   * is registered (PingStatus Online) when its profile allows it.
   */
  registration_seconds: z.number().nonnegative().default(20),
  /**
   * Simulated seconds after SendCommand before GetCommandInvocation knows an
   * invocation (until then: `InvocationDoesNotExist`, as AWS answers right
   * after SendCommand).
   */
  invocation_visible_seconds: z.number().nonnegative().default(1),
  /** SSM requests per simulated second allowed per region (token bucket refill); 0 = no limit. */
  requests_per_second: z.number().nonnegative().default(1000),
  /** Bucket size: requests allowed at once before `ThrottlingException`. */
  burst: z.number().int().positive().default(2000),
  /** `AgentVersion` the agents report. */
  agent_version: z.string().default("3.3.1957.0"),
  /** IAM instance profiles by name (RunInstances accepts these names or their ARNs). */
  iam_instance_profiles: z.record(z.string(), IamInstanceProfileSchema).default(
    DEFAULT_IAM_INSTANCE_PROFILES,
  ),
}).strict();

/** SSM settings, defaults applied. */
export type SsmSettings = z.output<typeof SsmSettingsSchema>;

/** The SSM settings when a profiles file gives none. */
export function defaultSsmSettings(): SsmSettings {
  return SsmSettingsSchema.parse({});
}

/**
 * A group of instances that already run when the simulator starts (a fleet
 * for `existing-hosts`): `count` instances of `instance_type` (a catalogue
 * type), spread round-robin over `regions`, each carrying `tags`, the
 * simulator's key pair and, when given, `iam_instance_profile` (its SSM agent
 * then registered from the start when the role allows it), booted and
 * reachable over SSH from the start.
 */
export const ExistingInstancesSchema = z.object({
  instance_type: z.string(),
  count: z.number().int().min(1).max(100_000).default(1),
  regions: z.array(z.string()).min(1).optional().describe("default: the home region"),
  /** Instance tags (e.g. `{ Name: web-1, fleet: web }`). */
  tags: z.record(z.string(), z.string()).default({}),
  /** IAM instance profile name (one of `ssm.iam_instance_profiles`); none by default. */
  iam_instance_profile: z.string().optional(),
}).strict();

/** A profiles file: instance types by name, the account's SSM settings, instances that already run. */
export const ProfilesFileSchema = z.object({
  instance_types: z.record(z.string(), InstanceProfileSchema),
  ssm: SsmSettingsSchema.optional(),
  existing_instances: z.array(ExistingInstancesSchema).default([]),
}).strict();

/** One group of pre-existing instances, defaults applied. */
export type ExistingInstances = z.output<typeof ExistingInstancesSchema>;

/** One instance type's profile, defaults applied. */
export type InstanceProfile = z.output<typeof InstanceProfileSchema>;
/** A parsed profiles file. */
export type ProfilesFile = z.output<typeof ProfilesFileSchema>;
