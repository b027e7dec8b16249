/**
 * The behavioural model of one simulated AL2023 host: boot and reboot, the
 * ENA driver (load with modprobe.d options, `phc_enable`, the PHC appearing
 * only on PHC hardware), PTP clock indices, udev symlinks, chronyd as a
 * systemd unit, and the journal. State lives in a {@link HostState}; time is
 * the host clock's simulated seconds. Transitions that complete later (boot)
 * are applied lazily by {@link Machine.settle}.
 *
 * Domain source: PTP.md sections 2-5 (phc_enable only after reload/reboot and
 * only when the driver has it; silent failure on unsupported hardware; reload
 * drops the NIC; udev rule -> `/dev/ptp_ena`; chronyd `Could not open PHC`).
 * @module
 */
import { parseChronyConfig } from "./chrony-config.ts";
import { decodeEnaModule, enaVersionAtLeast } from "./ena-module.ts";
import { bundledEnaPath } from "./initial.ts";
import { type DistributionFacts, distributionFacts } from "./distribution.ts";
import { globToRegExp } from "../shell/glob.ts";
import { HostFs } from "./fs.ts";
import type { FsNode, HostState, JournalEntry, UnitState } from "./state.ts";

/** Simulated time as the host sees it. `sleep` rejects with the signal's reason on abort. */
export interface HostClock {
  /** Simulated seconds. */
  now(): number;
  sleep(simSeconds: number, signal?: AbortSignal): Promise<void>;
}

/** Callbacks from the model to whatever serves SSH for it. */
export interface MachineHooks {
  /** The NIC went away (driver unloaded, reboot): every SSH session drops now. */
  networkDown?(): void;
  /** Reachability may change later (boot pending, NIC coming up): re-check. */
  changed?(): void;
  /** The host powered off (reboot): every process, detached ones too, dies. */
  poweredOff?(): void;
}

/** Units systemctl knows besides transient ones (and the distribution's chrony unit). */
const STATIC_UNITS = ["sshd", "systemd-udevd", "systemd-journald"];

/** systemd's default StartLimitBurst: starts allowed within StartLimitIntervalSec (10 s). */
const START_LIMIT_BURST = 5;

const CHRONY_FEATURES =
  "+CMDMON +NTP +REFCLOCK +RTC +PRIVDROP +SCFILTER +SIGND +ASYNCDNS +NTS +SECHASH +IPV6 +DEBUG";

/** A PTP clock registered in the kernel. */
export interface PtpClock {
  index: number;
  /** `clock_name`: `ena-ptp-05`, `KVM virtual PTP`, or igb's MAC without colons. */
  name: string;
  owner: "ena" | "kvm" | "nic";
}

/** The model. One per host; shared by all its SSH sessions. */
export class Machine {
  /** The host's file system (static + dynamic nodes). */
  readonly fs: HostFs;

  /**
   * @param state persistent state (changed in place)
   * @param clock simulated time
   * @param hooks notified when the network drops or reachability may change
   */
  constructor(
    readonly state: HostState,
    readonly clock: HostClock,
    public hooks: MachineHooks = {},
  ) {
    this.fs = new HostFs(state, () => this.#dynamicNodes(), () => this.now());
  }

  /** Simulated seconds now. */
  now(): number {
    return this.clock.now();
  }

  /** Wall-clock date of a simulated time (default now), for output. */
  wallDate(t = this.now()): Date {
    return new Date(this.state.wallEpochMs + t * 1000);
  }

  /** The profile's instance behaviour. */
  get profile(): HostState["profile"] {
    return this.state.profile;
  }

  /** The distribution's facts (paths, unit names, package family). */
  get facts(): DistributionFacts {
    return distributionFacts(this.profile.distribution);
  }

  /** Name of the chrony unit: `chronyd` (Amazon Linux, RHEL) or `chrony` (Debian, Ubuntu). */
  get chronyUnit(): "chronyd" | "chrony" {
    return this.facts.chronyUnit;
  }

  /** The primary NIC is driven by `ena` (else unloading `ena` leaves the network alone). */
  get nicIsEna(): boolean {
    return this.profile.nic_driver === "ena";
  }

  /** True when the primary NIC's driver is bound (ENA loaded, or any other driver: always). */
  nicPresent(): boolean {
    return this.nicIsEna ? this.state.ena.loaded : this.state.bootedAt !== null;
  }

  /** True when the hardware has a PHC (`phc_hardware`, else `phc_support != unsupported`). */
  get phcHardware(): boolean {
    return this.profile.phc_hardware ?? this.profile.phc_support !== "unsupported";
  }

  /** PCI slot name of the ENA device, e.g. `0000:00:05.0`. */
  get pciSlot(): string {
    return `0000:00:${this.profile.ena.pci_slot}.0`;
  }

  /** `x86_64` or `aarch64`. */
  get machineArch(): string {
    return this.profile.architecture === "arm64" ? "aarch64" : "x86_64";
  }

  /** Applies transitions whose time has come (a pending boot). */
  settle(): void {
    const s = this.state;
    if (s.bootAt !== null && this.now() >= s.bootAt) this.#completeBoot(s.bootAt);
  }

  /** True when the host is up (booted). */
  get booted(): boolean {
    this.settle();
    return this.state.bootedAt !== null;
  }

  /** True when the host is up and its NIC carries traffic (sshd reachable). */
  networkUp(): boolean {
    this.settle();
    const s = this.state;
    return s.bootedAt !== null && this.nicPresent() && s.nicUpAt !== null &&
      this.now() >= s.nicUpAt;
  }

  /** Next simulated time reachability may change (pending boot or NIC coming up), or null. */
  nextChangeAt(): number | null {
    const now = this.now();
    const times = [this.state.bootAt, this.state.nicUpAt].filter((t): t is number =>
      t !== null && t > now
    );
    return times.length ? Math.min(...times) : null;
  }

  /** Next process id. */
  allocPid(): number {
    return this.state.nextPid++;
  }

  /** Appends a journal line (simulated time `t`, default now). */
  log(
    ident: string,
    message: string,
    opts: { unit?: string; pid?: number; t?: number } = {},
  ): void {
    this.state.journal.push({
      t: opts.t ?? this.now(),
      ident,
      pid: opts.pid ?? (ident === "systemd" ? 1 : 0),
      unit: opts.unit,
      message,
    });
    if (this.state.journal.length > 2000) this.state.journal.splice(0, 500);
  }

  /** Appends a kernel log line (`dmesg`, `journalctl -k`). */
  kernel(message: string, t?: number): void {
    this.log("kernel", message, { t });
  }

  /** Journal lines, oldest first. */
  journal(): JournalEntry[] {
    this.settle();
    return this.state.journal;
  }

  // ---- power ---------------------------------------------------------------

  /**
   * Powers the host off now and boots it `delaySeconds` later: every session
   * drops, connections are refused until the boot completes.
   */
  powerCycle(delaySeconds: number): void {
    this.settle();
    const s = this.state;
    const t = this.now();
    if (s.bootedAt !== null) {
      const unit = `${this.chronyUnit}.service`;
      this.log("systemd", `Stopping ${unit} - ${this.facts.chronyDescription}...`, { unit, t });
      this.log("systemd", "Reached target reboot.target - System Reboot.", { t });
    }
    s.bootedAt = null;
    s.bootAt = t + delaySeconds;
    s.nicUpAt = null;
    s.ena = { loaded: false, module: null, phcEnable: null, clockIndex: null, loadedAt: null };
    s.kvmClockIndex = null;
    s.nicClockIndex = null;
    s.udevLinks = {};
    s.hwRxTimestamping = false;
    s.chrony = null;
    s.units = {};
    this.hooks.poweredOff?.();
    this.hooks.networkDown?.();
    this.hooks.changed?.();
  }

  /** Reboot (`reboot`, `systemctl reboot`, API RebootInstances). */
  reboot(): void {
    this.powerCycle(this.profile.reboot_seconds ?? 15);
  }

  #completeBoot(at: number): void {
    const s = this.state;
    const p = this.profile;
    s.bootAt = null;
    s.bootedAt = at;
    s.bootCount++;
    s.ptpLoaded = p.ptp_clock_config !== "n";
    this.kernel(
      `Linux version ${p.kernel} (mockbuild@ip-10-0-47-110) (gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.41-50.amzn2023.0.3) #1 SMP PREEMPT_DYNAMIC`,
      at,
    );
    for (const u of ["systemd-journald", "systemd-udevd", "sshd"]) {
      const pid = this.allocPid();
      s.units[u] = {
        active: "active",
        sub: "running",
        nRestarts: 0,
        activeSince: at,
        mainPid: pid,
        invocationId: this.newInvocationId(pid),
      };
    }
    if (this.nicIsEna) this.#loadEnaAt({}, at);
    else if (p.nic_driver === "igb" && p.ptp_clock_config !== "n") {
      s.nicClockIndex = this.#freePtpIndex();
      this.kernel(`igb 0000:00:03.0: added PHC on ${p.interface}`, at);
    }
    if (p.ptp_kvm && p.ptp_clock_config !== "n") s.kvmClockIndex = this.#freePtpIndex();
    this.udevApply();
    s.nicUpAt = at;
    this.#startChronyd(at);
    this.hooks.changed?.();
  }

  // ---- ENA driver ---------------------------------------------------------

  /** `options ena k=v ...` from `/etc/modprobe.d/*.conf`, later files winning. */
  modprobeOptions(): Record<string, string> {
    const opts: Record<string, string> = {};
    let names: string[] = [];
    try {
      names = this.fs.list("/etc/modprobe.d").filter((n) => n.endsWith(".conf"));
    } catch { /* no directory */ }
    for (const n of names) {
      let text = "";
      try {
        text = this.fs.read(`/etc/modprobe.d/${n}`, 0);
      } catch { /* unreadable */ }
      for (const line of text.split("\n")) {
        const words = line.replace(/#.*/, "").trim().split(/\s+/);
        if (words[0] === "options" && words[1] === "ena") {
          for (const kv of words.slice(2)) {
            const [k, v = ""] = kv.split("=");
            opts[k] = v;
          }
        }
      }
    }
    return opts;
  }

  /** The module file `modprobe ena` would load, decoded; null when missing or not a module. */
  enaModuleFile(
    path = this.state.enaModulePath,
  ): { path: string; info: ReturnType<typeof decodeEnaModule> } {
    let content = "";
    try {
      content = this.fs.read(path, 0);
    } catch { /* missing */ }
    return { path, info: decodeEnaModule(content) };
  }

  /**
   * `modprobe ena [k=v...]`: loads the driver with modprobe.d options plus
   * `params` (which win). No-op when already loaded. `insmod` passes the
   * module file (`path`) and gets no modprobe.d options nor dependencies.
   * @returns null on success, else modprobe's error line
   */
  loadEna(params: Record<string, string>, path?: string): string | null {
    this.settle();
    if (this.state.ena.loaded) return null;
    if (path === undefined && this.profile.ptp_clock_config === "m") {
      const info = this.enaModuleFile().info;
      if (info && !info.outOfTree) this.state.ptpLoaded = true;
    }
    const err = this.#loadEnaAt(params, this.now(), path);
    this.udevApply();
    this.hooks.changed?.();
    return err;
  }

  #loadEnaAt(params: Record<string, string>, t: number, path?: string): string | null {
    const s = this.state;
    const p = this.profile;
    const { info } = this.enaModuleFile(path);
    if (!info) {
      return path === undefined
        ? `modprobe: FATAL: Module ena not found in directory /lib/modules/${p.kernel}`
        : `insmod: ERROR: could not load module ${path}: No such file or directory`;
    }
    if (info.outOfTree && p.ptp_clock_config === "m" && !s.ptpLoaded) {
      this.kernel("ena: Unknown symbol ptp_clock_register (err -2)", t);
      this.kernel("ena: Unknown symbol ptp_clock_unregister (err -2)", t);
      return "modprobe: ERROR: could not insert 'ena': Unknown symbol in module, or unknown parameter (see dmesg)";
    }
    const opts = path === undefined ? { ...this.modprobeOptions(), ...params } : params;
    if (!this.nicIsEna) return this.#loadEnaWithoutDevice(info, opts, t);
    let phc: 0 | 1 | null = info.phcParameter ? 0 : null;
    const known = [
      "debug",
      "rx_queue_size",
      "force_large_llq_header",
      "num_io_queues",
      "enable_bql",
      "lpc_size",
    ];
    for (const [k, v] of Object.entries(opts)) {
      if (k === "phc_enable" && info.phcParameter) {
        if (!/^-?\d+$/.test(v)) {
          this.kernel(`ena: \`${v}' invalid for parameter \`phc_enable'`, t);
          return "modprobe: ERROR: could not insert 'ena': Invalid argument";
        }
        phc = Number(v) ? 1 : 0;
      } else if (!known.includes(k)) {
        this.kernel(`ena: unknown parameter '${k}' ignored`, t);
      }
    }
    const slot = this.pciSlot;
    this.kernel(`ena: Elastic Network Adapter (ENA) v${info.version ?? p.kernel}`, t);
    this.kernel(`ena ${slot}: ENA device version: 0.10`, t);
    this.kernel(`ena ${slot}: ENA controller version: 0.0.1 implementation version 1`, t);
    this.kernel(
      `ena ${slot}: Elastic Network Adapter (ENA) found at mem febf4000, mac addr ${s.mac}`,
      t,
    );
    this.kernel(`ena ${slot} ${p.interface}: renamed from eth0`, t);
    s.ena = { loaded: true, module: info, phcEnable: phc, clockIndex: null, loadedAt: t };
    if (phc === 1 && this.phcHardware && p.ptp_clock_config !== "n") {
      s.ena.clockIndex = this.#freePtpIndex();
      this.kernel(`ena ${slot}: ENA PHC was enabled`, t);
    }
    s.nicUpAt = t + (p.nic_up_seconds ?? 3);
    return null;
  }

  /** The module loads but binds no device: no interface, no clock, the NIC (another driver) stays up. */
  #loadEnaWithoutDevice(
    info: NonNullable<ReturnType<typeof decodeEnaModule>>,
    opts: Record<string, string>,
    t: number,
  ): null {
    let phc: 0 | 1 | null = info.phcParameter ? 0 : null;
    if (info.phcParameter && opts.phc_enable !== undefined) phc = Number(opts.phc_enable) ? 1 : 0;
    this.kernel(`ena: Elastic Network Adapter (ENA) v${info.version ?? this.profile.kernel}`, t);
    this.state.ena = { loaded: true, module: info, phcEnable: phc, clockIndex: null, loadedAt: t };
    return null;
  }

  /**
   * `modprobe -r ena` / `rmmod ena`: removes the driver, its clock and the
   * NIC; every SSH session drops. `modprobe -r` also drops the `ptp` core when
   * nothing else uses it (CONFIG_PTP_1588_CLOCK=m).
   * @returns false when the driver was not loaded
   */
  unloadEna(removeUnusedDeps: boolean): boolean {
    this.settle();
    const s = this.state;
    if (!s.ena.loaded) return false;
    const t = this.now();
    if (!this.nicIsEna) {
      s.ena = { loaded: false, module: null, phcEnable: null, clockIndex: null, loadedAt: null };
      return true;
    }
    this.kernel(`ena ${this.pciSlot}: Removing ENA device`, t);
    const index = s.ena.clockIndex;
    if (index !== null) {
      for (const [link, target] of Object.entries(s.udevLinks)) {
        if (target === `ptp${index}`) delete s.udevLinks[link];
      }
      if (s.chrony?.refclocks.some((r) => r.clock === "ena") && s.chrony.phcLostAt === null) {
        s.chrony.phcLostAt = t;
        this.log("chronyd", "Could not read PHC : No such device", {
          unit: `${this.chronyUnit}.service`,
          pid: s.units[this.chronyUnit]?.mainPid,
          t,
        });
      }
    }
    s.ena = { loaded: false, module: null, phcEnable: null, clockIndex: null, loadedAt: null };
    s.nicUpAt = null;
    s.hwRxTimestamping = false;
    if (removeUnusedDeps && this.profile.ptp_clock_config === "m" && s.kvmClockIndex === null) {
      s.ptpLoaded = false;
    }
    this.hooks.networkDown?.();
    this.hooks.changed?.();
    return true;
  }

  /** `depmod -a`: `modprobe ena` now loads `updates/ena.ko` when present, else the bundled one. */
  depmod(): void {
    const k = this.profile.kernel;
    const updates = this.fs.stat(`/lib/modules/${k}/updates`)
      ? this.#findEnaUnder(`/lib/modules/${k}/updates`)
      : null;
    this.state.enaModulePath = updates ?? bundledEnaPath(this.profile);
  }

  #findEnaUnder(dir: string): string | null {
    for (const path of this.fs.staticTree(dir)) {
      if (path.endsWith("/ena.ko") && this.fs.stat(path)?.node.kind === "file") return path;
    }
    return null;
  }

  /** `modprobe ptp`. */
  loadPtpCore(): string | null {
    if (this.profile.ptp_clock_config === "n") {
      return "modprobe: FATAL: Module ptp not found in directory /lib/modules/" +
        this.profile.kernel;
    }
    this.state.ptpLoaded = true;
    return null;
  }

  /** Registered PTP clocks, by index. */
  clocks(): PtpClock[] {
    const s = this.state;
    const out: PtpClock[] = [];
    if (s.ena.clockIndex !== null) {
      out.push({
        index: s.ena.clockIndex,
        name: `ena-ptp-${this.profile.ena.pci_slot}`,
        owner: "ena",
      });
    }
    if (s.kvmClockIndex !== null) {
      out.push({ index: s.kvmClockIndex, name: "KVM virtual PTP", owner: "kvm" });
    }
    if (s.nicClockIndex != null) {
      out.push({ index: s.nicClockIndex, name: s.mac.replaceAll(":", ""), owner: "nic" });
    }
    return out.sort((a, b) => a.index - b.index);
  }

  #freePtpIndex(): number {
    const used = new Set(this.clocks().map((c) => c.index));
    let i = 0;
    while (used.has(i)) i++;
    return i;
  }

  /**
   * Applies udev rules to the registered clocks (boot, driver load,
   * `udevadm trigger`): a rule `SUBSYSTEM=="ptp", ATTR{clock_name}=="<glob>",
   * SYMLINK+="<name>"` in `/usr/lib/udev/rules.d` or `/etc/udev/rules.d` (same
   * file name in /etc wins) makes `/dev/<name>` point at `ptpN`.
   * @param options.relink `udevadm trigger` (a `change` event for every clock):
   *   first drop the clocks' links, so a link whose rule is gone goes too
   */
  udevApply(options: { relink?: boolean } = {}): void {
    const files = new Map<string, string>();
    for (const dir of ["/usr/lib/udev/rules.d", "/etc/udev/rules.d"]) {
      let names: string[] = [];
      try {
        names = this.fs.list(dir).filter((n) => n.endsWith(".rules"));
      } catch { /* none */ }
      for (const n of names) {
        try {
          files.set(n, this.fs.read(`${dir}/${n}`, 0));
        } catch { /* unreadable */ }
      }
    }
    const clocks = this.clocks();
    if (options.relink) {
      // A `change` event (udevadm trigger) re-runs the rules: a link no rule gives the
      // device any more goes (systemd/systemd#33980: a PTP link lost on trigger).
      const triggered = new Set(clocks.map((c) => `ptp${c.index}`));
      for (const [link, to] of Object.entries(this.state.udevLinks)) {
        if (triggered.has(to)) delete this.state.udevLinks[link];
      }
    }
    for (const name of [...files.keys()].sort()) {
      for (const line of files.get(name)!.split("\n")) {
        if (line.trim().startsWith("#")) continue;
        if (!/SUBSYSTEM\s*==\s*"ptp"/.test(line)) continue;
        const attr = /ATTR\{clock_name\}\s*==\s*"([^"]*)"/.exec(line);
        const link = /SYMLINK\s*\+?=\s*"([^"]+)"/.exec(line);
        if (!attr || !link) continue;
        const re = globToRegExp(attr[1]);
        for (const c of clocks) {
          if (re.test(c.name)) this.state.udevLinks[`/dev/${link[1]}`] = `ptp${c.index}`;
        }
      }
    }
  }

  // ---- systemd units ------------------------------------------------------

  /**
   * Canonical unit name of `name` (`chronyd.service` -> `chronyd`; on Debian
   * and Ubuntu the alias `chronyd` -> `chrony`); null when the unit does not exist.
   */
  unitName(name: string): string | null {
    const base = name.replace(/\.service$/, "");
    if (base === this.chronyUnit || this.facts.chronyAliases.includes(base)) return this.chronyUnit;
    if (STATIC_UNITS.includes(base) || this.state.units[base]?.transient) return base;
    return null;
  }

  /** Unit state (inactive when never started this boot). */
  unit(name: string): UnitState {
    this.settle();
    return this.state.units[name] ??
      { active: "inactive", sub: "dead", nRestarts: 0, activeSince: null, mainPid: 0 };
  }

  /** A new systemd InvocationID (32 hex digits), deterministic per host and pid. */
  newInvocationId(pid: number): string {
    let out = "";
    let h = 2166136261 ^ pid;
    for (let i = 0; i < 4; i++) {
      for (const ch of `${this.state.instanceId}/${pid}/${i}`) {
        h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      }
      out += (h >>> 0).toString(16).padStart(8, "0");
    }
    return out;
  }

  /** `systemctl start|restart|stop` of a static unit (`name` canonical). */
  controlUnit(name: string, action: "start" | "stop" | "restart"): void {
    this.settle();
    const s = this.state;
    const t = this.now();
    const prev = s.units[name];
    if (name !== this.chronyUnit) {
      if (action === "stop") {
        s.units[name] = {
          ...this.unit(name),
          active: "inactive",
          sub: "dead",
          mainPid: 0,
          activeExitAt: t,
        };
      } else if (action === "restart" || prev?.active !== "active") {
        const pid = this.allocPid();
        s.units[name] = {
          active: "active",
          sub: "running",
          nRestarts: prev?.nRestarts ?? 0,
          activeSince: t,
          activeExitAt: prev?.active === "active" ? t : prev?.activeExitAt ?? null,
          mainPid: pid,
          invocationId: this.newInvocationId(pid),
        };
      }
      return;
    }
    const wasActive = prev?.active === "active";
    if (action === "start" && wasActive) return;
    const unit = `${name}.service`;
    if (wasActive) {
      const what = this.facts.chronyDescription;
      this.log("systemd", `Stopping ${unit} - ${what}...`, { unit, t });
      this.log("chronyd", "chronyd exiting", { unit, pid: prev.mainPid, t });
      this.log("systemd", `${unit}: Deactivated successfully.`, { unit, t });
      this.log("systemd", `Stopped ${unit} - ${what}.`, { unit, t });
      s.units[name] = { ...prev, activeExitAt: t };
    }
    s.chrony = null;
    if (action === "stop") {
      s.units[name] = { ...this.unit(name), active: "inactive", sub: "dead", mainPid: 0 };
      return;
    }
    this.#startChronyd(t);
  }

  /** Starts chronyd now; with `chrony_restart: on-failure` systemd retries a failing start. */
  #startChronyd(t: number): void {
    for (let attempt = 1;; attempt++) {
      if (this.#startChronydOnce(t)) return;
      if (this.profile.chrony_restart !== "on-failure") return;
      const unit = `${this.chronyUnit}.service`;
      const st = this.state.units[this.chronyUnit];
      st.nRestarts++;
      t += 0.1;
      this.log(
        "systemd",
        `${unit}: Scheduled restart job, restart counter is at ${st.nRestarts}.`,
        {
          unit,
          t,
        },
      );
      if (attempt >= START_LIMIT_BURST) {
        this.log("systemd", `${unit}: Start request repeated too quickly.`, { unit, t });
        this.log("systemd", `${unit}: Failed with result 'start-limit-hit'.`, { unit, t });
        this.log("systemd", `Failed to start ${unit} - ${this.facts.chronyDescription}.`, {
          unit,
          t,
        });
        st.result = "start-limit-hit";
        return;
      }
    }
  }

  /** One start of chronyd at `t`; false when it failed (the unit is then `failed`). */
  #startChronydOnce(t: number): boolean {
    const s = this.state;
    const name = this.chronyUnit;
    const prev = s.units[name];
    const pid = this.allocPid();
    const unit = `${name}.service`;
    const what = this.facts.chronyDescription;
    const invocationId = this.newInvocationId(pid);
    const fail = (lines: string[]) => {
      for (const l of lines) this.log("chronyd", l, { unit, pid, t });
      this.log("systemd", `${unit}: Control process exited, code=exited, status=1/FAILURE`, {
        unit,
        t,
      });
      this.log("systemd", `${unit}: Failed with result 'exit-code'.`, { unit, t });
      this.log("systemd", `Failed to start ${unit} - ${what}.`, { unit, t });
      s.units[name] = {
        active: "failed",
        sub: "failed",
        nRestarts: prev?.nRestarts ?? 0,
        activeSince: prev?.activeSince ?? null,
        activeExitAt: prev?.activeExitAt ?? null,
        mainPid: 0,
        result: "exit-code",
        invocationId,
      };
      s.chrony = null;
      return false;
    };
    this.log("systemd", `Starting ${unit} - ${what}...`, { unit, t });
    this.log(
      "chronyd",
      `chronyd version ${this.profile.chrony_version} starting (${CHRONY_FEATURES})`,
      { unit, pid, t },
    );
    const cfg = parseChronyConfig(this.fs, this.facts.chronyConf);
    if (cfg.error) return fail([`Fatal error : ${cfg.error}`]);
    const refclocks: NonNullable<HostState["chrony"]>["refclocks"] = [];
    for (const r of cfg.refclocks) {
      if (r.driver !== "PHC") continue;
      const node = this.fs.stat(r.device);
      if (!node || node.node.kind !== "char") {
        return fail([
          `Could not open ${r.device} : No such file or directory`,
          "Fatal error : Could not open PHC",
        ]);
      }
      const real = this.fs.resolve(r.device);
      const clock = this.clocks().find((c) => `/dev/ptp${c.index}` === real);
      refclocks.push({
        device: r.device,
        poll: r.poll,
        prefer: r.prefer,
        delay: r.delay,
        clock: clock?.owner ?? "other",
      });
    }
    // Offline hosts resolve no names: only sources given as an IPv4 address are reachable.
    const servers = cfg.servers.filter((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x.address));
    s.chrony = {
      startedAt: t,
      refclocks,
      servers: servers.map((x) => ({ address: x.address, poll: x.poll, iburst: x.iburst })),
      phcLostAt: null,
    };
    // The driftfile of the distribution's chrony.conf (Debian/Ubuntu: chrony.drift).
    const drift = this.facts.family === "apt"
      ? "/var/lib/chrony/chrony.drift"
      : "/var/lib/chrony/drift";
    this.log("chronyd", `Frequency -3.710 +/- 0.050 ppm read from ${drift}`, {
      unit,
      pid,
      t,
    });
    this.log("systemd", `Started ${unit} - ${what}.`, { unit, t });
    s.units[name] = {
      active: "active",
      sub: "running",
      nRestarts: prev?.nRestarts ?? 0,
      activeSince: t,
      activeExitAt: prev?.activeExitAt ?? null,
      mainPid: pid,
      invocationId,
    };
    return true;
  }

  // ---- dynamic nodes ------------------------------------------------------

  /**
   * sysfs of a primary NIC not driven by ENA: `/sys/class/net/IFACE` with its
   * `device/driver` link (`../../../bus/pci/drivers/igb`, Xen's
   * `../../bus/xen/drivers/vif`, virtio's `../../../../bus/virtio/drivers/virtio_net`;
   * a veth has no `device`).
   */
  #otherNicNodes(m: Map<string, FsNode>, since: number): void {
    const p = this.profile;
    const net = `/sys/class/net/${p.interface}`;
    const add = (path: string, node: Omit<FsNode, "mode" | "uid" | "mtime">, mode = 0o755) =>
      m.set(path, { ...node, mode, uid: 0, mtime: since });
    add(net, { kind: "dir" });
    add(`${net}/address`, { kind: "file", content: `${this.state.mac}\n` }, 0o444);
    add(`${net}/operstate`, { kind: "file", content: "up\n" }, 0o444);
    const driver = p.nic_driver;
    if (driver === "veth") return;
    const link = driver === "vif"
      ? "../../bus/xen/drivers/vif"
      : driver === "virtio_net"
      ? "../../../../bus/virtio/drivers/virtio_net"
      : `../../../bus/pci/drivers/${driver}`;
    add(`${net}/device`, { kind: "dir" });
    add(`${net}/device/driver`, { kind: "link", target: link }, 0o777);
    const slot = driver === "vif" ? "vif-0" : "0000:00:03.0";
    add(`${net}/device/uevent`, {
      kind: "file",
      content: driver === "vif"
        ? "DRIVER=vif\nMODALIAS=xen:vif\n"
        : `DRIVER=${driver}\nPCI_SLOT_NAME=${slot}\n`,
    }, 0o444);
  }

  #dynamicNodes(): Map<string, FsNode> {
    const s = this.state;
    const p = this.profile;
    const m = new Map<string, FsNode>();
    const since = s.ena.loadedAt ?? s.bootedAt ?? 0;
    const dir = (path: string) => m.set(path, { kind: "dir", mode: 0o755, uid: 0, mtime: since });
    const file = (path: string, content: string, mode = 0o444) =>
      m.set(path, { kind: "file", content, mode, uid: 0, mtime: since });
    if (s.bootedAt === null) return m;
    for (
      const d of [
        "/sys/module",
        "/sys/class",
        "/sys/class/net",
        "/sys/class/net/lo",
        "/sys/bus",
        "/sys/bus/pci",
        "/sys/bus/pci/devices",
      ]
    ) dir(d);
    const slotDir = `/sys/bus/pci/devices/${this.pciSlot}`;
    if (this.nicIsEna) {
      dir(slotDir);
      file(`${slotDir}/vendor`, "0x1d0f\n");
      file(`${slotDir}/device`, "0xec20\n");
    } else this.#otherNicNodes(m, since);
    if (s.ptpLoaded) dir("/sys/module/ptp");
    if (p.ptp_clock_config !== "n") dir("/sys/class/ptp");
    if (s.ena.loaded && s.ena.module) {
      dir("/sys/module/ena");
      dir("/sys/module/ena/parameters");
      if (s.ena.module.version) file("/sys/module/ena/version", `${s.ena.module.version}\n`);
      if (s.ena.phcEnable !== null) {
        file("/sys/module/ena/parameters/phc_enable", `${s.ena.phcEnable}\n`);
      }
    }
    if (this.nicIsEna && s.ena.loaded && s.ena.module) {
      const net = `/sys/class/net/${p.interface}`;
      dir(net);
      dir(`${net}/device`);
      file(`${net}/address`, `${s.mac}\n`);
      file(`${net}/operstate`, this.networkUp() ? "up\n" : "down\n");
      m.set(`${net}/device/driver`, {
        kind: "link",
        target: "../../../bus/pci/drivers/ena",
        mode: 0o777,
        uid: 0,
        mtime: since,
      });
      file(
        `${net}/device/uevent`,
        `DRIVER=ena\nPCI_CLASS=20000\nPCI_ID=1D0F:EC20\nPCI_SUBSYS_ID=1D0F:EC20\nPCI_SLOT_NAME=${this.pciSlot}\nMODALIAS=pci:v00001D0Fd0000EC20sv00001D0Fsd0000EC20bc02sc00i00\n`,
      );
      if (enaVersionAtLeast(s.ena.module.version, 2, 15) && s.ena.module.phcParameter) {
        file(
          `${slotDir}/hw_packet_timestamping_state`,
          s.hwRxTimestamping ? "enabled\n" : "disabled\n",
        );
      }
      if (s.ena.clockIndex !== null) {
        file(`${slotDir}/phc_error_bound`, `${p.phc_error_bound_ns}\n`);
      }
    }
    for (const c of this.clocks()) {
      const t = c.owner === "kvm" ? s.bootedAt : since;
      m.set(`/sys/class/ptp/ptp${c.index}`, { kind: "dir", mode: 0o755, uid: 0, mtime: t });
      m.set(`/sys/class/ptp/ptp${c.index}/clock_name`, {
        kind: "file",
        content: `${c.name}\n`,
        mode: 0o444,
        uid: 0,
        mtime: t,
      });
      m.set(`/dev/ptp${c.index}`, {
        kind: "char",
        mode: 0o600,
        uid: 0,
        mtime: t,
        major: 245,
        minor: c.index,
      });
    }
    for (const [link, target] of Object.entries(s.udevLinks)) {
      m.set(link, { kind: "link", target, mode: 0o777, uid: 0, mtime: since });
    }
    return m;
  }
}
