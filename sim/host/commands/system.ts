/**
 * Process and system commands of the simulated host: `true`, `false`,
 * `sleep` (waits on the simulated clock, killed by the session's signal),
 * `id`, `whoami`, `hostname`, `uname`, `date`, `env`, `command -v`, `which`,
 * `type`, and the wrappers `sudo` (passwordless for ec2-user), `sh`/`bash -c`,
 * `nohup` and `setsid` (detach from the session: survive its end),
 * `timeout`.
 * @module
 */
import type { CommandFn, Invocation, ProcessContext } from "./types.ts";
import { fail, parseFlags, pathOf } from "./util.ts";

/** Commands that live in `/usr/sbin` (for `command -v`, `which`). */
export const SBIN = new Set([
  "modprobe",
  "rmmod",
  "insmod",
  "depmod",
  "lsmod",
  "modinfo",
  "chronyd",
  "reboot",
  "shutdown",
  "ip",
  "ethtool",
  "hwstamp_ctl",
  "phc_ctl",
  "ptp4l",
  "phc2sys",
  "pmc",
  "sshd",
]);

/** Parses `sleep`/`timeout` durations (`5`, `0.5`, `2m`, `1h`); NaN when invalid. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(s);
  if (!m) return NaN;
  const mult = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]] ?? 1;
  return Number(m[1]) * mult;
}

const sleep: CommandFn = async (inv) => {
  if (!inv.args.length) return fail(inv, "missing operand");
  let total = 0;
  for (const a of inv.args) {
    const d = parseDuration(a);
    if (Number.isNaN(d)) return fail(inv, `invalid time interval '${a}'`);
    total += d;
  }
  await inv.ctx.machine.clock.sleep(total, inv.ctx.signal);
  return 0;
};

const id: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args);
  const root = inv.ctx.uid === 0;
  const name = root ? "root" : inv.ctx.machine.state.loginUser;
  // The default user's groups: sudo on Debian/Ubuntu, wheel on the Fedora family.
  const admin = inv.ctx.machine.facts.family === "apt"
    ? "27(sudo)"
    : "10(wheel),190(systemd-journal)";
  if (flags.has("-u")) inv.io.out(flags.has("-n") ? `${name}\n` : `${inv.ctx.uid}\n`);
  else if (flags.has("-g")) inv.io.out(flags.has("-n") ? `${name}\n` : `${inv.ctx.uid}\n`);
  else if (flags.has("-n")) inv.io.out(`${name}\n`);
  else {
    inv.io.out(
      root
        ? "uid=0(root) gid=0(root) groups=0(root)\n"
        : `uid=1000(${name}) gid=1000(${name}) groups=1000(${name}),4(adm),${admin}\n`,
    );
  }
  return Promise.resolve(0);
};

const uname: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args);
  const m = inv.ctx.machine;
  const fields: Record<string, string> = {
    "-s": "Linux",
    "-n": m.state.hostname,
    "-r": m.profile.kernel,
    "-v": "#1 SMP PREEMPT_DYNAMIC Mon Nov 10 20:10:23 UTC 2025",
    "-m": m.machineArch,
    "-p": m.machineArch,
    "-i": m.machineArch,
    "-o": "GNU/Linux",
  };
  const order = ["-s", "-n", "-r", "-v", "-m", "-p", "-i", "-o"];
  const wanted = flags.has("-a") ? order : order.filter((f) => flags.has(f));
  inv.io.out((wanted.length ? wanted : ["-s"]).map((f) => fields[f]).join(" ") + "\n");
  return Promise.resolve(0);
};

const hostname: CommandFn = (inv) => {
  const { flags } = parseFlags(inv.args);
  const s = inv.ctx.machine.state;
  if (flags.has("-I") || flags.has("-i")) inv.io.out(`${s.privateIp} \n`);
  else if (flags.has("-s")) inv.io.out(`${s.hostname.split(".")[0]}\n`);
  else inv.io.out(`${s.hostname}\n`);
  return Promise.resolve(0);
};

const date: CommandFn = (inv) => {
  const d = inv.ctx.machine.wallDate();
  const fmt = inv.args.find((a) => a.startsWith("+"));
  if (fmt === "+%s") inv.io.out(`${Math.floor(d.getTime() / 1000)}\n`);
  else if (fmt === "+%s.%N") inv.io.out(`${(d.getTime() / 1000).toFixed(9)}\n`);
  else if (fmt) inv.io.out(d.toISOString() + "\n");
  else {
    const s = d.toUTCString(); // "Wed, 06 May 2026 00:39:14 GMT"
    const [wd, day, mon, year, time] = s.replace(",", "").split(" ");
    inv.io.out(`${wd} ${mon} ${String(Number(day)).padStart(2)} ${time} UTC ${year}\n`);
  }
  return Promise.resolve(0);
};

/** sudo's `secure_path` (Debian, Ubuntu, Amazon Linux, RHEL alike). */
export const SECURE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Root's process context for `sudo` and system jobs (PATH = sudo's secure_path). */
export function asRoot(ctx: ProcessContext): ProcessContext {
  return {
    ...ctx,
    uid: 0,
    vars: { ...ctx.vars, HOME: "/root", USER: "root", LOGNAME: "root", PATH: SECURE_PATH },
  };
}

const sudo: CommandFn = (inv) => {
  let i = 0;
  const args = inv.args;
  let ctx = asRoot(inv.ctx);
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      break;
    }
    if (a === "-u") {
      if (args[++i] !== "root") ctx = { ...inv.ctx, uid: 1000 };
      continue;
    }
    if (/^-[nEHSkiPb]+$/.test(a) || a === "--non-interactive" || a === "--preserve-env") continue;
    break;
  }
  const env: Record<string, string> = {};
  while (i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i])) {
    const eq = args[i].indexOf("=");
    env[args[i].slice(0, eq)] = args[i].slice(eq + 1);
    i++;
  }
  const argv = args.slice(i);
  if (!argv.length) {
    return Promise.resolve(
      fail(inv, "usage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [-u user] command"),
    );
  }
  return inv.exec(argv, { ...ctx, vars: { ...ctx.vars, ...env } }, inv.io, env);
};

const shell: CommandFn = async (inv) => {
  const args = inv.args;
  let i = 0;
  let script: string | undefined;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "-c" || /^-[a-z]*c[a-z]*$/.test(a)) {
      script = args[i + 1] ?? "";
      break;
    }
    if (a === "-o") {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    break;
  }
  const ctx = { ...inv.ctx, vars: { ...inv.ctx.vars, ...inv.env } };
  if (script === undefined) {
    const file = args[i];
    if (file === undefined || file === "-s") script = await inv.io.stdin();
    else {
      try {
        script = inv.ctx.machine.fs.read(pathOf(inv, file), inv.ctx.uid);
      } catch {
        return fail(inv, `${file}: No such file or directory`, 127);
      }
    }
  }
  return await inv.script(script, ctx, { ...inv.io, stdin: inv.io.stdin });
};

/** Runs the rest of the arguments detached from the session (survives its end). */
function detached(skipFlags: RegExp): CommandFn {
  return async (inv) => {
    let i = 0;
    let fork = false;
    while (i < inv.args.length && skipFlags.test(inv.args[i])) {
      if (inv.args[i] === "-f" || inv.args[i] === "--fork") fork = true;
      i++;
    }
    const argv = inv.args.slice(i);
    if (!argv.length) return fail(inv, "missing operand");
    const ctx = { ...inv.ctx, signal: inv.ctx.lifetime };
    const io = {
      ...inv.io,
      out: (s: string) => {
        try {
          inv.io.out(s);
        } catch { /* session gone */ }
      },
      err: (s: string) => {
        try {
          inv.io.err(s);
        } catch { /* session gone */ }
      },
    };
    if (fork) {
      inv.exec(argv, ctx, io, inv.env).catch(() => {});
      return 0;
    }
    return await inv.exec(argv, ctx, io, inv.env);
  };
}

const timeout: CommandFn = async (inv) => {
  let i = 0;
  while (i < inv.args.length && inv.args[i].startsWith("-")) {
    i += inv.args[i] === "-s" || inv.args[i] === "-k" ? 2 : 1;
  }
  const limit = parseDuration(inv.args[i] ?? "");
  const argv = inv.args.slice(i + 1);
  if (Number.isNaN(limit) || !argv.length) {
    return fail(inv, `invalid time interval '${inv.args[i] ?? ""}'`, 125);
  }
  const timer = new AbortController();
  const signal = AbortSignal.any([inv.ctx.signal, timer.signal]);
  const stop = new AbortController();
  inv.ctx.machine.clock.sleep(limit, stop.signal).then(
    () => timer.abort(new Error("timeout")),
    () => {},
  );
  try {
    return await inv.exec(argv, { ...inv.ctx, signal }, inv.io, inv.env);
  } catch (e) {
    if (timer.signal.aborted && !inv.ctx.signal.aborted) return 124;
    throw e;
  } finally {
    stop.abort();
  }
};

/** Where a command lives (`/usr/bin/X`, `/usr/sbin/X`); undefined when it does not exist. */
export type Locate = (name: string, ctx: ProcessContext) => string | undefined;

/** `command`, `which`, `type`, `env` need to know which commands exist. */
export function lookupCommands(locate: Locate): Record<string, CommandFn> {
  const commandV: CommandFn = (inv: Invocation) => {
    const { flags, operands } = parseFlags(inv.args);
    if (!flags.has("-v") && !flags.has("-V")) return inv.exec(operands, inv.ctx, inv.io, inv.env);
    // bash: 0 when any operand is found (`command -v apt-get dnf` is 0 on Debian).
    let status = 1;
    for (const name of operands) {
      const where = locate(name, inv.ctx);
      if (where) {
        inv.io.out(`${where}\n`);
        status = 0;
      }
    }
    return Promise.resolve(status);
  };
  return {
    command: commandV,
    which: (inv) => {
      let status = 0;
      for (const name of parseFlags(inv.args).operands) {
        const where = locate(name, inv.ctx);
        if (where && where.startsWith("/")) inv.io.out(`${where}\n`);
        else {
          inv.io.err(`/usr/bin/which: no ${name} in (${inv.ctx.vars.PATH ?? ""})\n`);
          status = 1;
        }
      }
      return Promise.resolve(status);
    },
    type: (inv) => {
      let status = 0;
      for (const name of inv.args) {
        const where = locate(name, inv.ctx);
        if (!where) {
          inv.io.err(`bash: type: ${name}: not found\n`);
          status = 1;
        } else {inv.io.out(
            where.startsWith("/") ? `${name} is ${where}\n` : `${name} is a shell builtin\n`,
          );}
      }
      return Promise.resolve(status);
    },
    env: (inv) => {
      let i = 0;
      const env: Record<string, string> = { ...inv.env };
      while (i < inv.args.length && (inv.args[i] === "-i" || inv.args[i].includes("="))) {
        const a = inv.args[i++];
        if (a !== "-i") env[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
      }
      const argv = inv.args.slice(i);
      if (!argv.length) {
        const all = { ...inv.ctx.vars, ...env };
        delete all["?"];
        inv.io.out(Object.entries(all).map(([k, v]) => `${k}=${v}\n`).join(""));
        return Promise.resolve(0);
      }
      return inv.exec(argv, { ...inv.ctx, vars: { ...inv.ctx.vars, ...env } }, inv.io, env);
    },
  };
}

/** System commands by name (those that do not need the command table). */
export const systemCommands: Record<string, CommandFn> = {
  true: () => Promise.resolve(0),
  false: () => Promise.resolve(1),
  sleep,
  id,
  whoami: (inv) => {
    inv.io.out(inv.ctx.uid === 0 ? "root\n" : `${inv.ctx.machine.state.loginUser}\n`);
    return Promise.resolve(0);
  },
  uname,
  hostname,
  date,
  sudo,
  sh: shell,
  bash: shell,
  nohup: detached(/^--$/),
  setsid: detached(/^(-f|-w|-c|--fork|--wait|--ctty)$/),
  timeout,
};
