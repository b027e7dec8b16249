/**
 * The command table of a simulated host and the {@link Shell} bound to it.
 * A command provided by a package (gcc, make, git, linuxptp tools, chrony,
 * ethtool) exists only while that package is installed; a path like
 * `/usr/sbin/modprobe` resolves to the command of its base name.
 * @module
 */
import { posix } from "node:path";
import { familyHasCommand, packagedCommands } from "../model/packages.ts";
import { aptCommands } from "./apt.ts";
import { awkCommands } from "./awk.ts";
import { sedCommands } from "./sed.ts";
import { Shell } from "../shell/interpreter.ts";
import { buildCommands } from "./build.ts";
import { chronyCommands } from "./chrony.ts";
import { enaCommands } from "./ena.ts";
import { fileCommands } from "./files.ts";
import { packageCommands } from "./packages.ts";
import { lookupCommands, SBIN, systemCommands } from "./system.ts";
import { systemdCommands } from "./systemd.ts";
import { textCommands } from "./text.ts";
import type { CommandFn, ProcessContext } from "./types.ts";

const BUILTIN_NAMES = new Set([
  "cd",
  "export",
  "exit",
  ":",
  "set",
  "command",
  "type",
  "echo",
  "printf",
  "test",
  "[",
  "true",
  "false",
]);
const BIN_DIRS = new Set(["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"]);

let table: Record<string, CommandFn> | undefined;

function commandTable(): Record<string, CommandFn> {
  table ??= {
    ...fileCommands,
    ...textCommands,
    ...awkCommands,
    ...sedCommands,
    ...systemCommands,
    ...enaCommands,
    ...systemdCommands,
    ...chronyCommands,
    ...packageCommands,
    ...aptCommands,
    ...buildCommands,
    ...lookupCommands(locate),
  };
  return table;
}

/** Resolves argv[0] to a table name, or undefined for a path outside the bin directories. */
function baseName(name: string): string | undefined {
  if (!name.includes("/")) return name;
  return BIN_DIRS.has(posix.dirname(name)) ? posix.basename(name) : undefined;
}

/**
 * Where a command lives for `command -v`/`which`: `/usr/bin/X`, `/usr/sbin/X`,
 * or the bare name for shell builtins; undefined when it does not exist.
 */
export function locate(name: string, ctx: ProcessContext): string | undefined {
  const base = baseName(name);
  if (base === undefined) return ctx.machine.fs.stat(name) ? name : undefined;
  if (BUILTIN_NAMES.has(base)) return base;
  if (!findCommand(name, ctx)) return undefined;
  return `${homeDir(base, ctx)}/${base}`;
}

/**
 * `/usr/sbin` or `/usr/bin`: where a command lives on this host (Debian keeps `ip` and kmod's
 * `lsmod` in /usr/bin: `command -v lsmod` is `/usr/bin/lsmod` on the real Debian 12 guest).
 */
function homeDir(base: string, ctx: ProcessContext): string {
  if ((base === "ip" || base === "lsmod") && ctx.machine.facts.family === "apt") return "/usr/bin";
  return SBIN.has(base) ? "/usr/sbin" : "/usr/bin";
}

/** The directories of `$PATH`, with `/bin` and `/sbin` meaning `/usr/bin`, `/usr/sbin` (merged /usr). */
function pathDirs(ctx: ProcessContext): Set<string> {
  const dirs = (ctx.vars.PATH ?? "").split(":").map((
    d,
  ) => (d === "/bin" || d === "/sbin" ? `/usr${d}` : d));
  return new Set(dirs);
}

/** The command for argv[0] on this host, honouring installed packages. */
export function findCommand(name: string, ctx: ProcessContext): CommandFn | undefined {
  const base = baseName(name);
  if (base === undefined) return undefined;
  const fn = commandTable()[base];
  if (!fn) return undefined;
  const profile = ctx.machine.profile;
  if (!familyHasCommand(profile, base)) return undefined;
  const pkg = packagedCommands(profile).get(base);
  if (pkg && !ctx.machine.state.packages[pkg]) return undefined;
  // A bare name is searched in $PATH: /usr/sbin is off a Debian user's PATH.
  if (!name.includes("/") && !pathDirs(ctx).has(homeDir(base, ctx))) return undefined;
  return fn;
}

/** A shell for simulated hosts (stateless: one can serve every host). */
export function createShell(): Shell {
  return new Shell(findCommand);
}
