/**
 * systemd and udev commands of the simulated host: `systemctl`
 * (`start|stop|restart|is-active|is-failed|is-enabled|show|status|reboot`),
 * `systemd-run` (transient units that run detached from the SSH session),
 * `journalctl` (`-u`, `-n`, `-k`, `-b`, `--no-pager`), `reboot`, `shutdown -r`,
 * `udevadm control|trigger|settle`.
 *
 * Domain source: PTP.md sections 3-5 (reload detached with `systemd-run`;
 * `udevadm control --reload-rules && udevadm trigger --subsystem-match=ptp`;
 * chronyd failing shows in `systemctl is-active` and the journal).
 * @module
 */
import { chronyDerivedJournal } from "../model/chrony-status.ts";
import type { JournalEntry } from "../model/state.ts";
import { asRoot } from "./system.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, parseFlags } from "./util.ts";

const DESCRIPTIONS: Record<string, string> = {
  sshd: "OpenSSH server daemon",
  "systemd-udevd": "Rule-based Manager for Device Events and Files",
  "systemd-journald": "Journal Service",
};

/** `May 06 00:39:14` in UTC, as journalctl's short format prints it. */
function journalTime(d: Date): string {
  const mon = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${mon} ${String(d.getUTCDate()).padStart(2, "0")} ${d.toISOString().slice(11, 19)}`;
}

function longTime(d: Date): string {
  const wd = d.toLocaleString("en-US", { weekday: "short", timeZone: "UTC" });
  return `${wd} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** Every journal line (stored + derived chronyd lines), oldest first. */
function journalLines(inv: Invocation): JournalEntry[] {
  const m = inv.ctx.machine;
  return [...m.journal(), ...chronyDerivedJournal(m.state, m.now())].sort((a, b) => a.t - b.t);
}

function formatJournal(inv: Invocation, entries: JournalEntry[]): string {
  const m = inv.ctx.machine;
  return entries.map((e) => {
    const who = e.ident === "kernel" ? "kernel" : `${e.ident}[${e.pid}]`;
    return `${journalTime(m.wallDate(e.t))} ${m.state.hostname} ${who}: ${e.message}\n`;
  }).join("");
}

/**
 * What journalctl prints (stderr) to a user in neither `adm` nor
 * `systemd-journal` (the simulated login user is in neither).
 */
const JOURNAL_NOT_PRIVILEGED = "Hint: You are currently not seeing messages from other users " +
  "and the system.\n      Users in groups 'adm', 'systemd-journal' can see all messages.\n" +
  "      Pass -q to turn off this notice.\n";

const journalctl: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args, [
    "-u",
    "--unit",
    "-n",
    "--lines",
    "-o",
    "--output",
    "--since",
    "-p",
    "-t",
  ]);
  const m = inv.ctx.machine;
  const unitArg = (flags.get("-u") ?? flags.get("--unit")) as string | undefined;
  const unit = unitArg ? `${unitArg.replace(/\.service$/, "")}.service` : undefined;
  const nRaw = flags.get("-n") ?? flags.get("--lines");
  const n = typeof nRaw === "string" ? Number(nRaw) : nRaw === true ? 10 : Infinity;
  // A user outside `adm`/`systemd-journal` sees only their own journal: no system unit, no kernel.
  let entries = inv.ctx.uid === 0 ? journalLines(inv) : [];
  if (inv.ctx.uid !== 0) inv.io.err(JOURNAL_NOT_PRIVILEGED);
  if (unit) entries = entries.filter((e) => e.unit === unit);
  if (flags.has("-k") || flags.has("--dmesg")) {
    entries = entries.filter((e) => e.ident === "kernel");
  }
  if (flags.has("-b") || flags.has("-k")) {
    entries = entries.filter((e) => e.t >= (m.state.bootedAt ?? 0));
  }
  if (Number.isFinite(n)) entries = entries.slice(Math.max(0, entries.length - n));
  if (!entries.length) {
    inv.io.out("-- No entries --\n");
    return Promise.resolve(0);
  }
  const output = flags.get("-o") ?? flags.get("--output");
  if (output === "cat") inv.io.out(entries.map((e) => e.message + "\n").join(""));
  else inv.io.out(formatJournal(inv, entries));
  return Promise.resolve(0);
};

function denied(inv: Invocation, verb: string, unit?: string): number {
  inv.io.err(
    unit
      ? `Failed to ${verb} ${unit}.service: Interactive authentication required.\nSee system logs and 'systemctl status ${unit}.service' for details.\n`
      : `Call to ${verb} failed: Interactive authentication required.\n`,
  );
  return 1;
}

const SERVICE_PROPS = ["Type", "Restart", "NRestarts", "MainPID", "ExecMainStatus", "Result"];
const UNIT_PROPS = [
  "Id",
  "Names",
  "Description",
  "LoadState",
  "ActiveState",
  "SubState",
  "FragmentPath",
  "UnitFileState",
  "ActiveEnterTimestamp",
  "ActiveExitTimestamp",
  "InvocationID",
];

/** Description of a canonical unit name. */
function describe(m: Invocation["ctx"]["machine"], name: string): string {
  return name === m.chronyUnit ? m.facts.chronyDescription : DESCRIPTIONS[name] ?? name;
}

const systemctl: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-p", "--property", "-n", "--lines"]);
  const m = inv.ctx.machine;
  const [verb, ...rawUnits] = operands;
  const quiet = flags.has("-q") || flags.has("--quiet");
  const units = rawUnits.map((u) => u.replace(/\.service$/, ""));
  switch (verb) {
    case "start":
    case "stop":
    case "restart":
    case "try-restart":
    case "reload-or-restart": {
      if (inv.ctx.uid !== 0) return Promise.resolve(denied(inv, verb, units[0]));
      let status = 0;
      for (const u of units) {
        const name = m.unitName(u);
        if (!name) {
          inv.io.err(`Failed to ${verb} ${u}.service: Unit ${u}.service not found.\n`);
          status = 5;
          continue;
        }
        const action = verb === "start" || verb === "stop" ? verb : "restart";
        m.controlUnit(name, action);
        if (action !== "stop" && m.unit(name).active === "failed" && !flags.has("--no-block")) {
          inv.io.err(
            `Job for ${name}.service failed because the control process exited with error code.\nSee "systemctl status ${name}.service" and "journalctl -xeu ${name}.service" for details.\n`,
          );
          status = 1;
        }
      }
      return Promise.resolve(status);
    }
    case "enable":
    case "disable":
    case "daemon-reload":
    case "reload":
      return Promise.resolve(inv.ctx.uid === 0 ? 0 : denied(inv, verb, units[0]));
    case "is-active":
    case "is-failed": {
      let ok = units.length > 0;
      for (const u of units) {
        const name = m.unitName(u);
        const state = name ? m.unit(name).active : "inactive";
        if (!quiet) inv.io.out(`${state}\n`);
        if (verb === "is-active" ? state !== "active" : state !== "failed") ok = false;
      }
      return Promise.resolve(ok ? 0 : verb === "is-active" ? 3 : 1);
    }
    case "is-enabled": {
      const known = units.every((u) => m.unitName(u) && !m.state.units[u]?.transient);
      if (!quiet) {
        inv.io.out(units.map((u) => (m.unitName(u) ? "enabled" : "not-found")).join("\n") + "\n");
      }
      return Promise.resolve(known ? 0 : 1);
    }
    case "show": {
      const wanted: string[] = [];
      for (let i = 0; i < inv.args.length; i++) {
        const a = inv.args[i];
        if (a === "-p" || a === "--property") wanted.push(...(inv.args[++i] ?? "").split(","));
        else if (a.startsWith("--property=")) wanted.push(...a.slice(11).split(","));
        else if (a.startsWith("-p") && a.length > 2) wanted.push(...a.slice(2).split(","));
      }
      let out = "";
      for (const u of units) {
        const name = m.unitName(u);
        const st = name ? m.unit(name) : undefined;
        const chrony = name === m.chronyUnit;
        const stamp = (t: number | null | undefined) => (t != null ? longTime(m.wallDate(t)) : "");
        const values: Record<string, string> = {
          Type: chrony ? "forking" : name === "sshd" ? "notify" : "simple",
          Restart: chrony ? m.profile.chrony_restart : "no",
          NRestarts: String(st?.nRestarts ?? 0),
          MainPID: String(st?.mainPid ?? 0),
          ExecMainStatus: st?.active === "failed" ? "1" : "0",
          Result: st?.result ?? "success",
          Id: `${name ?? u}.service`,
          Names: chrony
            ? [name, ...m.facts.chronyAliases].map((n) => `${n}.service`).join(" ")
            : `${name ?? u}.service`,
          Description: name ? describe(m, name) : `${u}.service`,
          LoadState: name ? "loaded" : "not-found",
          ActiveState: st?.active ?? "inactive",
          SubState: st?.sub ?? "dead",
          FragmentPath: name && !st?.transient ? `${m.facts.unitDir}/${name}.service` : "",
          UnitFileState: name && !st?.transient ? "enabled" : "",
          ActiveEnterTimestamp: stamp(st?.activeSince),
          ActiveExitTimestamp: stamp(st?.activeExitAt),
          InvocationID: st?.invocationId ?? "",
        };
        const keys = [...SERVICE_PROPS, ...UNIT_PROPS].filter((k) =>
          !wanted.length || wanted.includes(k)
        );
        out += keys.map((k) => (flags.has("--value") ? `${values[k]}\n` : `${k}=${values[k]}\n`))
          .join("");
      }
      inv.io.out(out);
      return Promise.resolve(0);
    }
    case "status": {
      const u = units[0] ?? "";
      const name = m.unitName(u);
      if (!name) {
        inv.io.err(`Unit ${u}.service could not be found.\n`);
        return Promise.resolve(4);
      }
      const st = m.unit(name);
      const since = st.activeSince != null ? longTime(m.wallDate(st.activeSince)) : "";
      const active = st.active === "active"
        ? `active (running) since ${since}`
        : st.active === "failed"
        ? `failed (Result: ${st.result ?? "exit-code"})`
        : "inactive (dead)";
      const lines = [
        `${st.active === "failed" ? "×" : "●"} ${name}.service - ${describe(m, name)}`,
        `     Loaded: loaded (${m.facts.unitDir}/${name}.service; enabled; preset: enabled)`,
        `     Active: ${active}`,
      ];
      if (st.active === "active") lines.push(`   Main PID: ${st.mainPid} (${name})`);
      const n = Number(flags.get("-n") ?? flags.get("--lines") ?? 10);
      const log = journalLines(inv).filter((e) => e.unit === `${name}.service`);
      const tail = formatJournal(inv, log.slice(Math.max(0, log.length - n)));
      inv.io.out(lines.join("\n") + "\n" + (tail ? "\n" + tail : ""));
      return Promise.resolve(st.active === "active" ? 0 : 3);
    }
    case "reboot":
      return rebootNow(inv);
    default:
      return Promise.resolve(fail(inv, `Unknown command verb ${verb ?? ""}.`));
  }
};

/** Reboots: every process dies, so the caller does not get to return either. */
async function rebootNow(inv: Invocation): Promise<number> {
  if (inv.ctx.uid !== 0) return denied(inv, "Reboot");
  inv.ctx.machine.reboot();
  await inv.ctx.machine.clock.sleep(1, inv.ctx.signal);
  return 0;
}

const reboot: CommandFn = (inv) => rebootNow(inv);

const shutdown: CommandFn = (inv) => {
  if (!inv.args.includes("-r")) {
    return Promise.resolve(fail(inv, "only `shutdown -r` is simulated"));
  }
  return rebootNow(inv);
};

const systemdRun: CommandFn = async (inv) => {
  const m = inv.ctx.machine;
  let i = 0;
  let unit: string | undefined;
  let wait = false;
  let quiet = false;
  let scope = false;
  const args = inv.args;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-")) break;
    if (a === "--unit" || a === "-u") unit = args[++i];
    else if (a.startsWith("--unit=")) unit = a.slice(7);
    else if (a === "--wait" || a === "-W") wait = true;
    else if (a === "--quiet" || a === "-q") quiet = true;
    else if (a === "--scope") scope = true;
    else if (
      [
        "-p",
        "--property",
        "--description",
        "--slice",
        "-E",
        "--setenv",
        "--on-active",
        "--uid",
        "--gid",
      ].includes(a)
    ) i++;
  }
  const argv = args.slice(i);
  if (!argv.length) return fail(inv, "Command line to execute required.");
  if (inv.ctx.uid !== 0) {
    inv.io.err("Failed to start transient service unit: Interactive authentication required.\n");
    return 1;
  }
  const name = (unit ?? `run-r${(m.allocPid() * 2654435761 >>> 0).toString(16)}`).replace(
    /\.service$/,
    "",
  );
  const existing = m.state.units[name];
  if (
    existing && (existing.active === "active" || !existing.transient) ||
    m.unitName(name) !== null && !existing?.transient
  ) {
    inv.io.err(
      `Failed to start transient ${
        scope ? "scope" : "service"
      } unit: Unit ${name}.service was already loaded or has a fragment file.\n`,
    );
    return 1;
  }
  if (scope) return await inv.exec(argv, inv.ctx, inv.io, inv.env);
  if (!quiet) inv.io.err(`Running as unit: ${name}.service\n`);
  const pid = m.allocPid();
  m.state.units[name] = {
    active: "active",
    sub: "running",
    nRestarts: 0,
    activeSince: m.now(),
    mainPid: pid,
    transient: true,
  };
  m.log("systemd", `Started ${name}.service - /usr/bin/${argv.join(" ")}.`, {
    unit: `${name}.service`,
  });
  const ident = argv[0].split("/").pop()!;
  let buffered = "";
  const logTo = (s: string) => {
    buffered += s;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const l of lines) m.log(ident, l, { unit: `${name}.service`, pid });
  };
  const bootCount = m.state.bootCount;
  const ctx = { ...asRoot(inv.ctx), cwd: "/", signal: inv.ctx.lifetime };
  const job = inv.exec(argv, ctx, { stdin: () => Promise.resolve(""), out: logTo, err: logTo }, {})
    .then((code) => {
      if (m.state.bootCount !== bootCount) return code;
      if (buffered) logTo("\n");
      const failed = code !== 0;
      if (failed) {
        m.log(
          "systemd",
          `${name}.service: Main process exited, code=exited, status=${code}/FAILURE`,
          { unit: `${name}.service` },
        );
        m.state.units[name] = {
          ...m.state.units[name],
          active: "failed",
          sub: "failed",
          mainPid: 0,
          result: "exit-code",
        };
      } else {
        m.log("systemd", `${name}.service: Deactivated successfully.`, { unit: `${name}.service` });
        delete m.state.units[name];
      }
      return code;
    }, () => 1);
  if (!wait) {
    job.catch(() => {});
    return 0;
  }
  return await job;
};

const udevadm: CommandFn = async (inv) => {
  const [verb] = inv.args;
  const m = inv.ctx.machine;
  if (verb === "settle" || verb === "info" || verb === "--version") {
    if (verb === "--version") inv.io.out("252\n");
    return 0;
  }
  if (verb !== "control" && verb !== "trigger") return fail(inv, `Unknown command '${verb ?? ""}'`);
  if (inv.ctx.uid !== 0) {
    inv.io.err(verb === "control" ? "Failed to send reload request: Permission denied\n" : "");
    return 1;
  }
  if (verb === "trigger") {
    await m.clock.sleep(0.1, inv.ctx.signal);
    m.udevApply({ relink: true });
  }
  return 0;
};

/** systemd and udev commands by name. */
export const systemdCommands: Record<string, CommandFn> = {
  systemctl,
  "systemd-run": systemdRun,
  journalctl,
  reboot,
  shutdown,
  udevadm,
};
