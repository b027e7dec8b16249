/**
 * A scripted fake {@link RemoteShell} for unit tests of the PTP host steps: a
 * tiny stateful model of an AL2023 host (files, ena driver and its
 * `phc_enable`, PTP clocks, udev symlink, chronyd, packages, driver build)
 * answering exactly the command lines the steps send, in the formats of
 * /work/shared/samples. Not a shell: unknown commands answer exit 127 so a
 * test notices a new command.
 * @module
 */
import { StepError } from "../../runner/errors.ts";
import type { CommandResult, RemoteShell, RunOptions } from "../../plugins/ssh/types.ts";

/** Behaviour knobs of the fake host. */
export interface FakeHostOptions {
  /** The on-disk ena module has the `phc_enable` parameter. */
  driverHasParam?: boolean;
  /** Value of the loaded driver's phc_enable (null = file missing). */
  loadedPhcEnable?: 0 | 1 | null;
  /** The hardware exposes a PHC. */
  phcHardware?: boolean;
  /** `ptp_kvm` is loaded and owns ptp0 (the ENA clock is then ptp1). */
  ptpKvm?: boolean;
  /** amazon-ec2-utils ships the udev rule. */
  udevRuleShipped?: boolean;
  /** `ethtool -T` reports this index instead of the ENA clock's. */
  ethtoolIndexOverride?: number | null;
  /** /etc/chrony.conf content. */
  chronyConf?: string;
  /** `chronyd -p` fails with this fatal error. */
  chronydParseError?: string;
  /** chronyd never selects PHC0 (stays `#-`). */
  neverSelect?: string;
  /** chronyd dies after a restart with a PHC refclock configured (even with a valid device). */
  chronydDiesAfterRestart?: boolean;
  /** chronyd dies after every restart, also without a refclock (a rollback cannot save it). */
  chronydDiesAlways?: boolean;
  /** Installed packages. */
  packages?: string[];
  /** `dnf install` fails. */
  dnfFails?: boolean;
  /** `make` fails with gcc errors. */
  buildFails?: boolean;
  /** Kernel release. */
  kernel?: string;
}

/** AL2023's default chrony.conf (abridged), which includes /etc/chrony.d. */
export const AL2023_CHRONY_CONF = [
  "# Use Amazon Time Sync Service",
  "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4",
  "sourcedir /run/chrony-dhcp",
  "driftfile /var/lib/chrony/drift",
  "makestep 1.0 3",
  "rtcsync",
  "keyfile /etc/chrony.keys",
  "leapsectz right/UTC",
  "logdir /var/log/chrony",
  "include /etc/chrony.d/*.conf",
  "",
].join("\n");

const REACH_STEPS = ["0", "1", "3", "7", "17", "37", "77", "177", "377"];
const SLOT = "0000:00:05.0";

/** The fake host and shell. */
export class FakeHost implements RemoteShell {
  readonly files = new Map<string, string>();
  /** Every command run, with `sudo -n ` prefixed when `sudo` was set. */
  readonly commands: string[] = [];
  /** Options of each command, same order as {@link commands}. */
  readonly runOptions: RunOptions[] = [];
  reconnects = 0;
  driverHasParam: boolean;
  loadedPhcEnable: 0 | 1 | null;
  phcHardware: boolean;
  ptpKvm: boolean;
  ethtoolIndexOverride: number | null;
  symlink: string | null = null;
  chronydActive = true;
  nRestarts = 0;
  /** Starts of chronyd so far (the InvocationID is derived from it). */
  starts = 1;
  reachIndex = 0;
  packages: Set<string>;
  hwRx = 0;
  built = false;
  pendingReload = false;
  journal: string[] = [];
  /** Called before each command; may abort a controller or change state. */
  onCommand?: (command: string) => void;

  constructor(readonly options: FakeHostOptions = {}) {
    this.driverHasParam = options.driverHasParam ?? true;
    this.loadedPhcEnable = options.loadedPhcEnable === undefined
      ? (this.driverHasParam ? 0 : null)
      : options.loadedPhcEnable;
    this.phcHardware = options.phcHardware ?? true;
    this.ptpKvm = options.ptpKvm ?? false;
    this.ethtoolIndexOverride = options.ethtoolIndexOverride ?? null;
    this.packages = new Set(options.packages ?? ["chrony", "ethtool"]);
    this.files.set("/etc/chrony.conf", options.chronyConf ?? AL2023_CHRONY_CONF);
    if (options.udevRuleShipped ?? true) {
      this.files.set(
        "/usr/lib/udev/rules.d/51-ec2-ena-ptp-device.rules",
        'SUBSYSTEM=="ptp", ATTR{clock_name}=="ena-ptp-*", SYMLINK += "ptp_ena"\n',
      );
    }
    this.symlink = this.enaIndex() !== null && this.hasUdevRule() ? `ptp${this.enaIndex()}` : null;
  }

  get kernel(): string {
    return this.options.kernel ?? "6.1.158-180.294.amzn2023.x86_64";
  }

  /** Index of the ENA clock, or null when there is none. */
  enaIndex(): number | null {
    if (!(this.phcHardware && this.loadedPhcEnable === 1)) return null;
    return this.ptpKvm ? 1 : 0;
  }

  /** 32 hex digits, new at every start of chronyd (as systemd's InvocationID). */
  invocationId(): string {
    return this.starts.toString(16).padStart(32, "0");
  }

  hasUdevRule(): boolean {
    return [...this.files.keys()].some((p) =>
      p.endsWith(".rules") && this.files.get(p)!.includes("ptp_ena")
    );
  }

  /** Effective chrony configuration (chrony.conf plus included drop-ins). */
  chronyConfig(): string {
    const conf = this.files.get("/etc/chrony.conf") ?? "";
    if (!/^(include \/etc\/chrony\.d|confdir \/etc\/chrony\.d)/m.test(conf)) return conf;
    const dropIns = [...this.files.entries()].filter(([p]) =>
      /^\/etc\/chrony\.d\/.*\.conf$/.test(p)
    );
    return [conf, ...dropIns.map(([, c]) => c)].join("\n");
  }

  phcRefclocks(): number {
    return this.chronyConfig().split("\n").filter((l) => /^refclock PHC \/dev\/ptp_ena/.test(l))
      .length;
  }

  reconnect(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.reconnects++;
    if (this.pendingReload) {
      this.pendingReload = false;
      const conf = this.files.get("/etc/modprobe.d/ptp-runner-ena.conf") ?? "";
      if (this.driverHasParam) {
        this.loadedPhcEnable = /phc_enable=1/.test(conf) ? 1 : 0;
      }
      const n = this.enaIndex();
      this.symlink = n !== null && this.hasUdevRule() ? `ptp${n}` : null;
    }
    return Promise.resolve();
  }

  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const line = options.sudo ? `sudo -n ${command}` : command;
    this.commands.push(line);
    this.runOptions.push(options);
    this.onCommand?.(line);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.pendingReload && !options.expectDisconnect) {
      return Promise.reject(new StepError("connection", "connection lost"));
    }
    const [stdout, stderr, exitCode] = this.answer(command, options);
    return Promise.resolve({ command: line, stdout, stderr, exitCode, durationMs: 1 });
  }

  private answer(c: string, o: RunOptions): [string, string, number | null] {
    const ok = (out = ""): [string, string, number] => [out, "", 0];
    const fail = (err: string, code = 1): [string, string, number] => ["", err, code];
    let m: RegExpExecArray | null;
    if (c.startsWith('echo "/sys/class/ptp/ptp0/clock_name:')) {
      const clocks: string[] = [];
      for (let n = 0; n < 8; n++) {
        let name = "";
        if (this.ptpKvm && n === 0) name = "KVM virtual PTP";
        if (this.enaIndex() === n) name = "ena-ptp-05";
        clocks.push(`/sys/class/ptp/ptp${n}/clock_name:${name}`);
      }
      return ok(clocks.join("\n") + "\n");
    }
    if ((m = /^cat (\S+)$/.exec(c))) return this.cat(m[1].replace(/^'|'$/g, ""));
    if ((m = /^ethtool -T (\S+)$/.exec(c))) {
      const n = this.ethtoolIndexOverride ?? this.enaIndex();
      return ok(
        `Time stamping parameters for ${m[1]}:\nCapabilities:\n        software-transmit\n` +
          `        software-receive\n        software-system-clock\n` +
          `PTP Hardware Clock: ${n ?? "none"}\nHardware Transmit Timestamp Modes: none\n` +
          "Hardware Receive Filter Modes: none\n",
      );
    }
    if (c === "readlink /dev/ptp_ena") return this.symlink ? ok(`${this.symlink}\n`) : fail("", 1);
    if (c === "test -e /dev/ptp_ena") return this.symlink ? ok() : fail("", 1);
    if ((m = /^test -d (\S+)$/.exec(c))) {
      return [...this.files.keys()].some((p) => p.startsWith(m![1] + "/")) ? ok() : fail("", 1);
    }
    if (c === "modinfo ena") {
      return ok(
        `filename:       /lib/modules/${this.kernel}/kernel/drivers/amazon/net/ena/ena.ko\n` +
          "version:        2.16.1g\nlicense:        GPL\n" +
          (this.driverHasParam ? "parm:           phc_enable:Enable PHC. (int)\n" : ""),
      );
    }
    if (c === "modinfo -F version ena") return ok("2.16.1g\n");
    if (c === "uname -r") return ok(`${this.kernel}\n`);
    if (c === "uname -m") return ok("x86_64\n");
    if (c === "ip -4 route show default") {
      return ok("default via 172.31.0.1 dev ens5 proto dhcp src 172.31.5.9 metric 512\n");
    }
    if ((m = /^tee (-a )?(\S+) >\/dev\/null$/.exec(c))) {
      if (!o.sudo) return fail("tee: Permission denied");
      const path = m[2].replace(/^'|'$/g, "");
      const prev = m[1] ? this.files.get(path) ?? "" : "";
      this.files.set(path, prev + (o.stdin ?? ""));
      return ok();
    }
    if ((m = /^rm -f (\S+)$/.exec(c))) {
      this.files.delete(m[1]);
      return ok();
    }
    if ((m = /^cp (\S+) (\S+)$/.exec(c))) {
      const from = m[1].replace(/^'|'$/g, "");
      const to = m[2].replace(/^'|'$/g, "");
      if (from.endsWith("ena.ko")) {
        return this.built ? (this.files.set(to, "ELF"), ok()) : fail("cp: no such file");
      }
      if (!this.files.has(from)) {
        return fail(`cp: cannot stat '${from}': No such file or directory`);
      }
      this.files.set(to, this.files.get(from)!);
      return ok();
    }
    if (/^mkdir -p /.test(c)) return ok();
    if (/^systemd-run --unit ptp-runner-ena-reload --no-block sh -c /.test(c)) {
      this.pendingReload = true;
      return [" ", "", null];
    }
    if (/^systemd-run --unit ptp-runner-reboot --no-block sh -c 'systemctl reboot'$/.test(c)) {
      this.pendingReload = true;
      return ["", "", null];
    }
    if (c.startsWith("sudo -n udevadm control --reload-rules && sudo -n udevadm trigger")) {
      const n = this.enaIndex();
      if (n !== null && this.hasUdevRule()) this.symlink = `ptp${n}`;
      return ok();
    }
    if (c === "chronyd -p -f /etc/chrony.conf") {
      if (this.options.chronydParseError) {
        return fail(`Fatal error : ${this.options.chronydParseError}\n`);
      }
      return ok(this.chronyConfig());
    }
    if (c === "systemctl restart chronyd") {
      this.starts++;
      this.reachIndex = 0;
      const needsDevice = this.phcRefclocks() > 0 && this.symlink === null;
      this.chronydActive = !needsDevice &&
        !(this.options.chronydDiesAfterRestart && this.phcRefclocks() > 0) &&
        !this.options.chronydDiesAlways;
      this.journal.push("chronyd version 4.3 starting (+CMDMON +NTP +REFCLOCK)");
      if (needsDevice) this.journal.push("chronyd[812]: Fatal error : Could not open PHC");
      else if (!this.chronydActive) this.journal.push("chronyd[812]: Fatal error : simulated");
      return this.chronydActive ? ok() : fail("Job for chronyd.service failed.", 1);
    }
    if (c === "systemctl is-active chronyd") {
      return this.chronydActive ? ok("active\n") : ["failed\n", "", 3];
    }
    if (
      c ===
        "systemctl show -p ActiveState,SubState,InvocationID,ActiveEnterTimestamp,NRestarts chronyd"
    ) {
      return ok(
        `ActiveState=${this.chronydActive ? "active" : "failed"}\n` +
          `SubState=${this.chronydActive ? "running" : "failed"}\n` +
          `InvocationID=${this.invocationId()}\n` +
          `ActiveEnterTimestamp=Mon 2026-12-07 00:0${this.starts % 10}:00 UTC\n` +
          `NRestarts=${this.nRestarts}\n`,
      );
    }
    if (/^journalctl -u chronyd /.test(c)) return ok(this.journal.join("\n") + "\n");
    if (/^journalctl -u ptp-runner-ena-reload /.test(c)) return ok("-- No entries --\n");
    if (c === "chronyc -n sources") return ok(this.sources());
    if (c === "chronyc -n tracking") return ok(this.tracking());
    if ((m = /^rpm -q (\S+)$/.exec(c))) {
      return this.packages.has(m[1])
        ? ok(`${m[1]}-1.0-1.amzn2023.x86_64\n`)
        : ["", `package ${m[1]} is not installed\n`, 1];
    }
    if ((m = /^dnf install -y (.+)$/.exec(c))) {
      if (this.options.dnfFails) {
        return [
          "Amazon Linux 2023 repository                    0.0  B/s |   0  B     00:00\n",
          "Errors during downloading metadata for repository 'amazonlinux':\n" +
          "Error: Failed to download metadata for repo 'amazonlinux': Cannot download repomd.xml\n",
          1,
        ];
      }
      for (const p of m[1].split(" ")) this.packages.add(p);
      return ok("Complete!\n");
    }
    if ((m = /^dnf provides \/usr\/src\/kernels\/(\S+)$/.exec(c))) {
      return ok(
        "Last metadata expiration check: 0:01:02 ago.\n" +
          `kernel-devel-${
            m[1]
          } : Development package for building kernel modules to match the kernel\n` +
          `Repo        : amazonlinux\nMatched from:\nFilename    : /usr/src/kernels/${m[1]}\n`,
      );
    }
    if ((m = /^git clone \S+ (\S+) 2>&1$/.exec(c))) {
      this.files.set(`${m[1]}/kernel/linux/ena/Makefile`, "");
      return ok("Cloning into 'amzn-drivers'...\n");
    }
    if (/^cd \S+ && git checkout \S+ 2>&1$/.test(c)) return ok("HEAD is now at 1a2b3c4\n");
    if (/^cd \S+ && ENA_PHC_INCLUDE=1 make 2>&1$/.test(c)) {
      if (this.options.buildFails) {
        const lines = Array.from({ length: 30 }, (_, i) => `  CC [M]  /tmp/src/file${i}.o`);
        lines.push(
          "ena_netdev.c:1234:5: error: implicit declaration of function 'xdp_do_flush_map'",
        );
        lines.push("make: *** [Makefile:45: all] Error 2");
        return [lines.join("\n") + "\n", "", 2];
      }
      this.built = true;
      return ok("  CC [M]  ena_netdev.o\n  LD [M]  ena.ko\n");
    }
    if (c === "depmod -a") {
      if (this.files.has(`/lib/modules/${this.kernel}/updates/ena.ko`)) this.driverHasParam = true;
      return ok();
    }
    if (/^hwstamp_ctl -i \S+ -r 1$/.test(c)) {
      this.hwRx = 1;
      return ok(
        "current settings:\ntx_type 0\nrx_filter 0\nnew settings:\ntx_type 0\nrx_filter 1\n",
      );
    }
    return fail(`bash: ${c.split(" ")[0]}: command not found`, 127);
  }

  private cat(path: string): [string, string, number] {
    const missing: [string, string, number] = ["", `cat: ${path}: No such file or directory\n`, 1];
    if (path === "/sys/module/ena/parameters/phc_enable") {
      return this.loadedPhcEnable === null ? missing : [`${this.loadedPhcEnable}\n`, "", 0];
    }
    if (path === `/sys/bus/pci/devices/${SLOT}/phc_error_bound`) {
      return this.enaIndex() === null ? missing : ["32123\n", "", 0];
    }
    if (path === `/sys/bus/pci/devices/${SLOT}/hw_packet_timestamping_state`) {
      return [`RX configuration: ${this.hwRx}\n`, "", 0];
    }
    if (path === "/sys/class/net/ens5/device/uevent") {
      return [`DRIVER=ena\nPCI_CLASS=20000\nPCI_SLOT_NAME=${SLOT}\n`, "", 0];
    }
    const content = this.files.get(path);
    return content === undefined ? missing : [content, "", 0];
  }

  private sources(): string {
    const header = "MS Name/IP address         Stratum Poll Reach LastRx Last sample\n" +
      "===============================================================================\n";
    const ntp = "^- 169.254.169.123               1   4   377     8    -18us[  -18us] +/-  115us\n";
    if (!this.chronydActive) return "";
    if (this.phcRefclocks() === 0) return header + ntp.replace("^-", "^*");
    const reach = REACH_STEPS[Math.min(this.reachIndex, REACH_STEPS.length - 1)];
    this.reachIndex++;
    const state = this.options.neverSelect ?? (reach === "377" ? "*" : "?");
    return header +
      `#${state} PHC0                          0   0   ${
        reach.padStart(3)
      }     0   +184ns[ +198ns] +/- 5032ns\n` +
      ntp;
  }

  private tracking(): string {
    const selected = this.chronydActive && this.phcRefclocks() > 0 && !this.options.neverSelect &&
      this.reachIndex >= REACH_STEPS.length;
    const ref = selected ? "50484330 (PHC0)" : "A9FEA97B (169.254.169.123)";
    return [
      `Reference ID    : ${ref}`,
      `Stratum         : ${selected ? 1 : 4}`,
      "Ref time (UTC)  : Wed Nov 15 18:24:30 2023",
      "System time     : 0.000000014 seconds fast of NTP time",
      "Last offset     : +0.000000000 seconds",
      "RMS offset      : 0.000000060 seconds",
      "Frequency       : 6.614 ppm fast",
      "Residual freq   : +0.000 ppm",
      "Skew            : 0.019 ppm",
      "Root delay      : 0.000010000 seconds",
      "Root dispersion : 0.000001311 seconds",
      "Update interval : 1.0 seconds",
      "Leap status     : Normal",
      "",
    ].join("\n");
  }
}
