/**
 * Driver and NIC commands of the simulated host: `modprobe [-r]`, `rmmod`,
 * `insmod`, `depmod`, `modinfo`, `lsmod`, `ethtool -i/-T`, `hwstamp_ctl`,
 * `phc_ctl`, `ip`, `dmesg`.
 *
 * Output formats follow `shared/samples/` (`modinfo-ena-*.txt`, `ethtool-i-ens5.txt`,
 * `ethtool-T-*.txt`). Domain source: PTP.md sections 2-4 (reload drops the NIC;
 * `ethtool --set-phc-hwts` does not exist; `hwstamp_ctl -r 1` needs ENA >= 2.15;
 * the ENA PHC is read-only so `phc_ctl set/adj/freq` fail).
 * @module
 */
import { enaVersionAtLeast, formatModinfo } from "../model/ena-module.ts";
import type { Machine } from "../model/machine.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, parseFlags, pathOf } from "./util.ts";

/** Simulated seconds `modprobe`/`rmmod` of the ENA driver take. */
const MODULE_SECONDS = 0.5;

function params(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf("=");
    out[eq < 0 ? a : a.slice(0, eq)] = eq < 0 ? "1" : a.slice(eq + 1);
  }
  return out;
}

const modprobe: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const m = inv.ctx.machine;
  const remove = flags.has("-r") || flags.has("--remove");
  const quiet = flags.has("-q");
  const [mod, ...rest] = operands;
  if (!mod) return fail(inv, "ERROR: missing parameters. See -h.");
  const name = mod.replace(/-/g, "_");
  if (!["ena", "ptp", "ptp_kvm", "pps_core"].includes(name)) {
    return quiet
      ? 1
      : fail(inv, `FATAL: Module ${mod} not found in directory /lib/modules/${m.profile.kernel}`);
  }
  if (inv.ctx.uid !== 0) {
    return fail(
      inv,
      remove
        ? `FATAL: Error running remove command for ${mod}`
        : `ERROR: could not insert '${mod}': Operation not permitted`,
    );
  }
  if (name !== "ena") {
    if (remove) return 0;
    const err = name === "ptp" || name === "pps_core" ? m.loadPtpCore() : null;
    if (err) inv.io.err(err + "\n");
    return err ? 1 : 0;
  }
  if (remove) {
    if (!m.state.ena.loaded) return quiet ? 1 : fail(inv, "FATAL: Module ena is not in kernel.");
    await m.clock.sleep(MODULE_SECONDS / 2, inv.ctx.signal);
    m.unloadEna(true);
    await m.clock.sleep(MODULE_SECONDS / 2, inv.ctx.signal);
    return 0;
  }
  await m.clock.sleep(MODULE_SECONDS, inv.ctx.signal);
  const err = m.loadEna(params(rest));
  if (err) {
    inv.io.err(err + "\n");
    return 1;
  }
  return 0;
};

const rmmod: CommandFn = async (inv) => {
  const [mod] = parseFlags(inv.args).operands;
  const m = inv.ctx.machine;
  if (inv.ctx.uid !== 0) {
    return fail(inv, `ERROR: could not remove module ${mod}: Operation not permitted`);
  }
  if (mod !== "ena") return fail(inv, `ERROR: Module ${mod} is not currently loaded`);
  if (!m.state.ena.loaded) return fail(inv, "ERROR: Module ena is not currently loaded");
  await m.clock.sleep(MODULE_SECONDS / 2, inv.ctx.signal);
  m.unloadEna(false);
  await m.clock.sleep(MODULE_SECONDS / 2, inv.ctx.signal);
  return 0;
};

const insmod: CommandFn = async (inv) => {
  const [file, ...rest] = parseFlags(inv.args).operands;
  const m = inv.ctx.machine;
  if (!file) return fail(inv, "ERROR: missing filename.");
  if (inv.ctx.uid !== 0) {
    return fail(inv, `ERROR: could not insert module ${file}: Operation not permitted`);
  }
  if (m.state.ena.loaded) return fail(inv, `ERROR: could not insert module ${file}: File exists`);
  await m.clock.sleep(MODULE_SECONDS, inv.ctx.signal);
  const err = m.loadEna(params(rest), pathOf(inv, file));
  if (err) {
    inv.io.err(
      err.replace(
        /^modprobe: ERROR: could not insert 'ena'/,
        `insmod: ERROR: could not insert module ${file}`,
      ) + "\n",
    );
    return 1;
  }
  return 0;
};

const depmod: CommandFn = (inv) => {
  if (inv.ctx.uid !== 0) {
    return Promise.resolve(
      fail(
        inv,
        `ERROR: could not open directory /lib/modules/${inv.ctx.machine.profile.kernel}: Permission denied`,
      ),
    );
  }
  inv.ctx.machine.depmod();
  return Promise.resolve(0);
};

const modinfo: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-F", "--field", "-k"]);
  const m = inv.ctx.machine;
  let status = 0;
  for (const op of operands) {
    const file = op.includes("/") || op.endsWith(".ko")
      ? m.enaModuleFile(pathOf(inv, op))
      : op === "ena"
      ? m.enaModuleFile()
      : null;
    if (!file?.info) {
      status = fail(inv, `ERROR: Module ${op} not found.`);
      continue;
    }
    const text = formatModinfo(file.path, file.info, m.profile.kernel);
    const field = (flags.get("-F") ?? flags.get("--field")) as string | undefined;
    if (!field) {
      inv.io.out(text);
      continue;
    }
    for (const line of text.split("\n")) {
      const i = line.indexOf(":");
      if (i > 0 && line.slice(0, i) === field) inv.io.out(line.slice(i + 1).trim() + "\n");
    }
  }
  return Promise.resolve(status);
};

const lsmod: CommandFn = (inv) => {
  const s = inv.ctx.machine.state;
  let out = "Module                  Size  Used by\n";
  if (s.kvmClockIndex !== null) out += "ptp_kvm                20480  0\n";
  if (s.ena.loaded) out += "ena                   180224  0\n";
  const nic = inv.ctx.machine.profile.nic_driver;
  if (nic === "igb") out += "igb                   331776  0\n";
  if (nic === "vif") out += "xen_netfront           69632  0\n";
  if (nic === "virtio_net") {
    out += "virtio_net             77824  0\nnet_failover           20480  1 virtio_net\n";
  }
  if (nic === "veth") out += "veth                   45056  0\n";
  if (s.ptpLoaded && inv.ctx.machine.profile.ptp_clock_config === "m") {
    const users = [s.ena.loaded ? "ena" : "", s.kvmClockIndex !== null ? "ptp_kvm" : ""].filter(
      Boolean,
    );
    out += `ptp                    36864  ${users.length}${
      users.length ? " " + users.join(",") : ""
    }\n`;
    out += "pps_core               28672  1 ptp\n";
  }
  inv.io.out(out);
  return Promise.resolve(0);
};

function ifaceExists(m: Machine, iface: string): boolean {
  return m.nicPresent() && iface === m.profile.interface;
}

/** `ethtool -i` of a primary NIC not driven by ENA (igb, vif, veth, virtio_net). */
function otherDriverInfo(m: Machine): string {
  const d = m.profile.nic_driver;
  const version = d === "veth"
    ? "1.0"
    : d === "virtio_net"
    ? "1.0.0"
    : d === "vif"
    ? ""
    : m.profile.kernel;
  const bus = d === "vif" ? "vif-0" : d === "veth" ? "" : "0000:00:03.0";
  return [
    `driver: ${d}`,
    `version: ${version}`,
    `firmware-version: ${d === "igb" ? "0.0.0" : ""}`,
    "expansion-rom-version: ",
    `bus-info: ${bus}`,
    `supports-statistics: ${
      d === "virtio_net" || d === "igb" || d === "veth" || d === "vif" ? "yes" : "no"
    }`,
    `supports-test: ${d === "igb" ? "yes" : "no"}`,
    `supports-eeprom-access: ${d === "igb" ? "yes" : "no"}`,
    `supports-register-dump: ${d === "igb" ? "yes" : "no"}`,
    "supports-priv-flags: no",
    "",
  ].join("\n");
}

/** `ethtool -T` of a primary NIC not driven by ENA: igb has a PHC and hardware stamps. */
function otherDriverTimestamping(m: Machine, iface: string): string {
  const clock = m.state.nicClockIndex;
  if (m.profile.nic_driver === "igb" && clock != null) {
    return [
      `Time stamping parameters for ${iface}:`,
      "Capabilities:",
      "\thardware-transmit",
      "\tsoftware-transmit",
      "\thardware-receive",
      "\tsoftware-receive",
      "\tsoftware-system-clock",
      "\thardware-raw-clock",
      `PTP Hardware Clock: ${clock}`,
      "Hardware Transmit Timestamp Modes:",
      "\toff",
      "\ton",
      // As qemu 10's igb under Linux 6.12 reports them (the real-VM guest, tests/realhost).
      "Hardware Receive Filter Modes:",
      "\tnone",
      "\tptpv1-l4-sync",
      "\tptpv1-l4-delay-req",
      "\tptpv2-event",
      "",
    ].join("\n");
  }
  return [
    `Time stamping parameters for ${iface}:`,
    "Capabilities:",
    "\tsoftware-transmit",
    "\tsoftware-receive",
    "\tsoftware-system-clock",
    "PTP Hardware Clock: none",
    "Hardware Transmit Timestamp Modes: none",
    "Hardware Receive Filter Modes: none",
    "",
  ].join("\n");
}

const ethtool: CommandFn = (inv) => {
  const m = inv.ctx.machine;
  const [opt, iface] = inv.args;
  const s = m.state;
  if (opt === "-i" || opt === "--driver") {
    if (!iface || !ifaceExists(m, iface)) {
      return Promise.resolve(fail(inv, "Cannot get driver information: No such device", 71));
    }
    if (!m.nicIsEna) {
      inv.io.out(otherDriverInfo(m));
      return Promise.resolve(0);
    }
    inv.io.out(
      [
        "driver: ena",
        `version: ${s.ena.module?.version ?? m.profile.kernel}`,
        "firmware-version: ",
        "expansion-rom-version: ",
        `bus-info: ${m.pciSlot}`,
        "supports-statistics: yes",
        "supports-test: no",
        "supports-eeprom-access: no",
        "supports-register-dump: no",
        "supports-priv-flags: yes",
        "",
      ].join("\n"),
    );
    return Promise.resolve(0);
  }
  if (opt === "-T" || opt === "--show-time-stamping") {
    if (!iface || !ifaceExists(m, iface)) {
      inv.io.err(
        "netlink error: no device matches name (offset 24)\nnetlink error: No such device\n",
      );
      return Promise.resolve(1);
    }
    if (!m.nicIsEna) {
      inv.io.out(otherDriverTimestamping(m, iface));
      return Promise.resolve(0);
    }
    const hwRx = s.ena.clockIndex !== null &&
      enaVersionAtLeast(s.ena.module?.version ?? null, 2, 15);
    inv.io.out(
      [
        `Time stamping parameters for ${iface}:`,
        "Capabilities:",
        "\tsoftware-transmit",
        ...(hwRx ? ["\thardware-receive"] : []),
        "\tsoftware-receive",
        "\tsoftware-system-clock",
        `PTP Hardware Clock: ${s.ena.clockIndex ?? "none"}`,
        "Hardware Transmit Timestamp Modes: none",
        ...(hwRx
          ? ["Hardware Receive Filter Modes:", "\tnone", "\tall"]
          : ["Hardware Receive Filter Modes: none"]),
        "",
      ].join("\n"),
    );
    return Promise.resolve(0);
  }
  if (opt === "--version") {
    inv.io.out("ethtool version 6.2\n");
    return Promise.resolve(0);
  }
  if (opt && !opt.startsWith("-") && ifaceExists(m, opt)) {
    inv.io.out(`Settings for ${opt}:\n\tLink detected: ${m.networkUp() ? "yes" : "no"}\n`);
    return Promise.resolve(0);
  }
  return Promise.resolve(
    fail(inv, "bad command line argument(s)\nFor more information run ethtool -h"),
  );
};

const hwstampCtl: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args, ["-i", "-r", "-t"]);
  const m = inv.ctx.machine;
  const iface = flags.get("-i");
  if (typeof iface !== "string") return Promise.resolve(fail(inv, "need an interface"));
  if (!ifaceExists(m, iface)) {
    return Promise.resolve(fail(inv, "SIOCGHWTSTAMP failed: No such device"));
  }
  if (inv.ctx.uid !== 0) {
    return Promise.resolve(fail(inv, "SIOCGHWTSTAMP failed: Operation not permitted"));
  }
  const s = m.state;
  const supported = m.nicIsEna
    ? s.ena.clockIndex !== null && enaVersionAtLeast(s.ena.module?.version ?? null, 2, 15)
    : m.profile.nic_driver === "igb";
  const cur = s.hwRxTimestamping ? 1 : 0;
  let out = `current settings:\ntx_type 0\nrx_filter ${cur}\n`;
  if (flags.has("-r") || flags.has("-t")) {
    const rx = Number(flags.get("-r") ?? cur);
    if (!supported || (rx !== 0 && rx !== 1) || Number(flags.get("-t") ?? 0) !== 0) {
      inv.io.out(out);
      return Promise.resolve(fail(inv, "SIOCSHWTSTAMP failed: Operation not supported"));
    }
    s.hwRxTimestamping = rx === 1;
    if (m.nicIsEna) {
      m.kernel(`ena ${m.pciSlot}: Packet timestamping is ${rx ? "enabled" : "disabled"}`);
    }
    out += `new settings:\ntx_type 0\nrx_filter ${rx}\n`;
  }
  inv.io.out(out);
  return Promise.resolve(0);
};

const phcCtl: CommandFn = (inv) => {
  const m = inv.ctx.machine;
  const [device, ...cmds] = inv.args;
  const stamp = () => `phc_ctl[${(m.now() + 100).toFixed(3)}]: `;
  const node = device ? m.fs.stat(pathOf(inv, device)) : undefined;
  if (!node || node.node.kind !== "char") {
    inv.io.err(`${stamp()}unable to open ${device ?? ""}: No such file or directory\n`);
    return Promise.resolve(255);
  }
  if (inv.ctx.uid !== 0) {
    inv.io.err(`${stamp()}unable to open ${device}: Permission denied\n`);
    return Promise.resolve(255);
  }
  for (const c of cmds.length ? cmds : ["caps"]) {
    if (c === "get") {
      const d = m.wallDate();
      inv.io.out(
        `${stamp()}clock time is ${(d.getTime() / 1000).toFixed(9)} or ${d.toUTCString()}\n`,
      );
    } else if (c === "cmp") inv.io.out(`${stamp()}offset from CLOCK_REALTIME is -21ns\n`);
    else if (c === "caps") {
      inv.io.out(
        `${stamp()}\ncapabilities:\n  0 maximum frequency adjustment (ppb)\n  0 programable alarms\n  0 external time stamp channels\n  0 programmable pins\n  0 programmable periodic signals\n  has pulse per second support\n  doesn't have cross timestamping support\n  doesn't have adjust_phase support\n`,
      );
    } else if (["set", "adj", "freq", "phase"].includes(c)) {
      inv.io.err(
        `${stamp()}failed to ${
          c === "set"
            ? "set clock time"
            : c === "adj"
            ? "adjust clock time"
            : "adjust clock frequency"
        }: Operation not supported\n`,
      );
      return Promise.resolve(255);
    } else if (/^[-+]?\d/.test(c)) continue;
    else {
      inv.io.err(`${stamp()}unknown command ${c}\n`);
      return Promise.resolve(255);
    }
  }
  return Promise.resolve(0);
};

function ipCommand(inv: Invocation): number {
  const m = inv.ctx.machine;
  const s = m.state;
  const args = inv.args.filter((a) => !["-4", "-6"].includes(a));
  const brief = args.includes("-br") || args.includes("-brief");
  const words = args.filter((a) => !a.startsWith("-"));
  const obj = words[0] ?? "";
  const iface = m.profile.interface;
  const up = m.nicPresent();
  const [o1, o2, o3, o4] = s.privateIp.split(".");
  const net = `${o1}.${o2}.${Number(o3) & 0xf0}`;
  const gw = `${net}.1`;
  if ("route".startsWith(obj) && obj.length >= 1 && obj[0] === "r") {
    if (!up) return 0;
    const lines = [
      ...(m.profile.default_route
        ? [`default via ${gw} dev ${iface} proto dhcp src ${s.privateIp} metric 512 `]
        : []),
      `${net}.0/20 dev ${iface} proto kernel scope link src ${s.privateIp} metric 512 `,
      `${gw} dev ${iface} proto dhcp scope link src ${s.privateIp} metric 512 `,
    ];
    const wantDefault = words.includes("default");
    const shown = wantDefault ? lines.filter((l) => l.startsWith("default ")) : lines;
    inv.io.out(shown.map((l) => l + "\n").join(""));
    return 0;
  }
  const isLink = obj === "link" || obj === "l";
  const isAddr = obj === "addr" || obj === "address" || obj === "a";
  if (!isLink && !isAddr) {
    inv.io.err(`Object "${obj}" is unknown, try "ip help".\n`);
    return 255;
  }
  const only = words.find((w, i) => i > 0 && w !== "show" && w !== "dev" && w !== "list");
  if (only && only !== "lo" && !(up && only === iface)) {
    inv.io.err(`Device "${only}" does not exist.\n`);
    return 1;
  }
  const want = (n: string) => !only || only === n;
  const lines: string[] = [];
  if (brief) {
    if (want("lo")) {
      lines.push(
        `${"lo".padEnd(16)} ${"UNKNOWN".padEnd(14)} ${
          isLink ? "00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> " : "127.0.0.1/8 ::1/128 "
        }`,
      );
    }
    if (up && want(iface)) {
      const state = m.networkUp() ? "UP" : "DOWN";
      lines.push(
        `${iface.padEnd(16)} ${state.padEnd(14)} ${
          isLink
            ? `${s.mac} <BROADCAST,MULTICAST,UP,LOWER_UP> `
            : `${s.privateIp}/20 fe80::${o3}:${o4}ff:fe00:1/64 `
        }`,
      );
    }
  } else {
    if (want("lo")) {
      lines.push(
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000",
      );
      lines.push("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
      if (isAddr) {
        lines.push(
          "    inet 127.0.0.1/8 scope host lo",
          "       valid_lft forever preferred_lft forever",
        );
      }
    }
    if (up && want(iface)) {
      lines.push(
        `2: ${iface}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state ${
          m.networkUp() ? "UP" : "DOWN"
        } mode DEFAULT group default qlen 1000`,
      );
      lines.push(`    link/ether ${s.mac} brd ff:ff:ff:ff:ff:ff`);
      if (isAddr) {
        lines.push(
          `    inet ${s.privateIp}/20 metric 512 brd ${net}.255 scope global dynamic ${iface}`,
          "       valid_lft 3503sec preferred_lft 3503sec",
        );
      }
    }
  }
  inv.io.out(lines.map((l) => l + "\n").join(""));
  return 0;
}

const dmesg: CommandFn = (inv) => {
  const m = inv.ctx.machine;
  if (inv.ctx.uid !== 0) {
    return Promise.resolve(fail(inv, "read kernel buffer failed: Operation not permitted"));
  }
  const boot = m.state.bootedAt ?? 0;
  const lines = m.journal().filter((e) => e.ident === "kernel" && e.t >= boot)
    .map((e) => `[${(e.t - boot).toFixed(6).padStart(12)}] ${e.message}\n`);
  inv.io.out(lines.join(""));
  return Promise.resolve(0);
};

/** Driver and NIC commands by name. */
export const enaCommands: Record<string, CommandFn> = {
  modprobe,
  rmmod,
  insmod,
  depmod,
  modinfo,
  lsmod,
  ethtool,
  hwstamp_ctl: hwstampCtl,
  phc_ctl: phcCtl,
  ip: (inv) => Promise.resolve(ipCommand(inv)),
  dmesg,
};
