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

/** A command output override: replays captured output for a command line. */
export const CommandOverrideSchema = z.object({
  /** Exact command line (after `sudo -n` is stripped), or ... */
  command: z.string().optional(),
  /** ... a regular expression (JavaScript syntax) matched against it. */
  regex: z.string().optional(),
  stdout: z.string().default(""),
  stderr: z.string().default(""),
  exit: z.number().int().default(0),
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
}).strict();

/** One instance type's profile. */
export const InstanceProfileSchema = z.object({
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
  /** Kernel release (`uname -r`). */
  kernel: z.string().default("6.1.158-180.294.amzn2023.x86_64"),
  /** ENA driver: version string (null = upstream kernel, no `version:` line), phc_enable parameter built in, PCI slot (2 hex digits). */
  ena: z.object({
    version: z.string().nullable().default("2.16.1g"),
    phc_parameter: z.boolean().default(true),
    pci_slot: z.string().regex(/^[0-9a-f]{2}$/).default("05"),
  }).strict().default({ version: "2.16.1g", phc_parameter: true, pci_slot: "05" }),
  /** Primary interface name (from the default route). */
  interface: z.string().default("ens5"),
  /** `CONFIG_PTP_1588_CLOCK` of the kernel. */
  ptp_clock_config: z.enum(["y", "m", "n"]).default("y"),
  /** chrony version (`chronyd --version`). */
  chrony_version: z.string().default("4.3"),
  /** amazon-ec2-utils ships `51-ec2-ena-ptp-device.rules`. */
  udev_rule: z.boolean().default(true),
  /** `ptp_kvm` loaded: a second clock `/dev/ptpN` named `KVM virtual PTP` exists. */
  ptp_kvm: z.boolean().default(false),
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
  /** `/etc/chrony.conf` includes `/etc/chrony.d` (`confdir`); default true (AL2023). */
  chrony_confdir: z.boolean().optional(),
  /** Simulated seconds a reboot keeps the host unreachable (default 15). */
  reboot_seconds: z.number().nonnegative().optional(),
  /** Simulated seconds from `modprobe ena` until the NIC carries SSH again (default 3). */
  nic_up_seconds: z.number().nonnegative().optional(),
  faults: ProfileFaultsSchema.default({
    capacity: false,
    package_install: false,
    driver_build: false,
    chrony_never_selects: false,
  }),
  overrides: z.array(CommandOverrideSchema).default([]),
}).strict();

/** A profiles file: instance types by name. */
export const ProfilesFileSchema = z.object({
  instance_types: z.record(z.string(), InstanceProfileSchema),
}).strict();

/** One instance type's profile, defaults applied. */
export type InstanceProfile = z.output<typeof InstanceProfileSchema>;
/** A parsed profiles file. */
export type ProfilesFile = z.output<typeof ProfilesFileSchema>;
