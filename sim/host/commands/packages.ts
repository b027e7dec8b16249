/**
 * Package commands of the simulated host: `dnf`/`yum` (`install`, `remove`,
 * `provides`, `list installed`, `makecache`) and `rpm -q`/`-qa`. Installing
 * takes simulated time; the profile fault `package_install` makes dnf fail
 * the way it does when the repository is unreachable.
 *
 * Domain source: PTP.md section 2 (kernel headers package resolved with
 * `dnf provides /usr/src/kernels/$(uname -r)`).
 * @module
 */
import { findPackage, packagedCommands, repository, rpmArch } from "../model/packages.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, parseFlags } from "./util.ts";

function metadataLine(inv: Invocation): string {
  const d = inv.ctx.machine.wallDate();
  const wd = d.toLocaleString("en-US", { weekday: "short", timeZone: "UTC" });
  const mon = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `Last metadata expiration check: 0:03:12 ago on ${wd} ${mon} ${
    String(d.getUTCDate()).padStart(2)
  } ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}.\n`;
}

async function repoUnreachable(inv: Invocation): Promise<number> {
  const m = inv.ctx.machine;
  await m.clock.sleep(30, inv.ctx.signal);
  inv.io.out("Amazon Linux 2023 repository                    0.0  B/s |   0  B     00:30    \n");
  inv.io.err(
    `Errors during downloading metadata for repository 'amazonlinux':\n  - Curl error (28): Timeout was reached for https://al2023-repos-us-east-1-de612dc2.s3.dualstack.us-east-1.amazonaws.com/core/mirrors/2023.9.20251110/${
      rpmArch(m.profile)
    }/mirror.list [Connection timed out after 30000 milliseconds]\nError: Failed to download metadata for repo 'amazonlinux': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried\n`,
  );
  return 1;
}

async function install(inv: Invocation, specs: string[], yes: boolean): Promise<number> {
  const m = inv.ctx.machine;
  const arch = rpmArch(m.profile);
  if (m.profile.faults.package_install) return await repoUnreachable(inv);
  let out = metadataLine(inv);
  const missing: string[] = [];
  const todo: ReturnType<typeof findPackage>[] = [];
  for (const spec of specs) {
    const pkg = findPackage(m.profile, spec);
    if (!pkg) {
      missing.push(spec);
      out += `No match for argument: ${spec}\n`;
    } else if (m.state.packages[pkg.name]) {
      out += `Package ${m.state.packages[pkg.name]} is already installed.\n`;
    } else if (!todo.includes(pkg)) todo.push(pkg);
  }
  if (missing.length) {
    inv.io.out(out);
    inv.io.err(`Error: Unable to find a match: ${missing.join(" ")}\n`);
    return 1;
  }
  out += "Dependencies resolved.\n";
  if (!todo.length) {
    inv.io.out(out + "Nothing to do.\nComplete!\n");
    return 0;
  }
  const rule = "=".repeat(80);
  out += `${rule}\n ${"Package".padEnd(28)}${"Architecture".padEnd(13)}${"Version".padEnd(30)}${
    "Repository".padEnd(16)
  }Size\n${rule}\nInstalling:\n`;
  for (const p of todo) {
    out += ` ${p!.name.padEnd(28)}${arch.padEnd(13)}${p!.versionRelease.padEnd(30)}${
      "amazonlinux".padEnd(16)
    }${p!.size}\n`;
  }
  out += `\nTransaction Summary\n${rule}\nInstall  ${todo.length} Package${
    todo.length > 1 ? "s" : ""
  }\n\n`;
  if (!yes) {
    inv.io.out(out + "Is this ok [y/N]: ");
    inv.io.err("Operation aborted.\n");
    return 1;
  }
  inv.io.out(out + "Downloading Packages:\n");
  await m.clock.sleep(4 + 3 * todo.length, inv.ctx.signal);
  let tail =
    "Running transaction check\nTransaction check succeeded.\nRunning transaction test\nTransaction test succeeded.\nRunning transaction\n";
  for (const p of todo) {
    const nevra = `${p!.name}-${p!.versionRelease}.${arch}`;
    m.state.packages[p!.name] = nevra;
    if (p!.name.endsWith("-devel") && p!.name.startsWith("kernel")) {
      const dir = `/usr/src/kernels/${m.profile.kernel}`;
      m.fs.mkdir(dir, 0, true);
      m.fs.write(`${dir}/Makefile`, `# Makefile of the ${m.profile.kernel} kernel headers\n`, 0);
    }
    tail += `  Installing       : ${nevra}\n`;
  }
  tail += "\nInstalled:\n" +
    todo.map((p) => `  ${p!.name}-${p!.versionRelease}.${arch}\n`).join("") + "\nComplete!\n";
  inv.io.out(tail);
  return 0;
}

const dnf: CommandFn = async (inv) => {
  const { flags, operands } = parseFlags(inv.args, [
    "--setopt",
    "--enablerepo",
    "--disablerepo",
    "-e",
  ]);
  const m = inv.ctx.machine;
  const [verb, ...rest] = operands;
  const yes = flags.has("-y") || flags.has("--assumeyes");
  if (
    verb === "install" || verb === "remove" || verb === "erase" || verb === "makecache" ||
    verb === "update" || verb === "upgrade"
  ) {
    if (inv.ctx.uid !== 0) {
      inv.io.err(
        "Error: This command has to be run with superuser privileges (under the root user on most systems).\n",
      );
      return 1;
    }
  }
  switch (verb) {
    case "install":
      return await install(inv, rest, yes);
    case "remove":
    case "erase": {
      for (const spec of rest) delete m.state.packages[spec];
      inv.io.out("Dependencies resolved.\nComplete!\n");
      return 0;
    }
    case "makecache":
      if (m.profile.faults.package_install) return await repoUnreachable(inv);
      inv.io.out(metadataLine(inv) + "Metadata cache created.\n");
      return 0;
    case "provides":
    case "whatprovides": {
      if (m.profile.faults.package_install) return await repoUnreachable(inv);
      const arch = rpmArch(m.profile);
      const cmds = packagedCommands(m.profile);
      let out = metadataLine(inv);
      let found = false;
      for (const what of rest) {
        const base = what.split("/").pop()!;
        const name = what === `/usr/src/kernels/${m.profile.kernel}`
          ? repository(m.profile).find((p) =>
            p.name.startsWith("kernel") && p.name.endsWith("-devel")
          )?.name
          : cmds.get(base);
        const pkg = name ? repository(m.profile).find((p) => p.name === name) : undefined;
        if (!pkg) continue;
        found = true;
        const summary = pkg.name.endsWith("-devel")
          ? "Development package for building kernel modules to match the kernel"
          : `The ${pkg.name} package`;
        out +=
          `${pkg.name}-${pkg.versionRelease}.${arch} : ${summary}\nRepo        : amazonlinux\nMatched from:\nFilename    : ${what}\n\n`;
      }
      if (!found) {
        inv.io.out(metadataLine(inv));
        inv.io.err(
          `Error: No matches found. If searching for a file, try specifying the full path or using a wildcard prefix ("*/") at the beginning.\n`,
        );
        return 1;
      }
      inv.io.out(out);
      return 0;
    }
    case "list": {
      const installed = Object.values(m.state.packages).sort();
      inv.io.out("Installed Packages\n" + installed.map((n) => n + "\n").join(""));
      return 0;
    }
    case "update":
    case "upgrade":
      inv.io.out(metadataLine(inv) + "Dependencies resolved.\nNothing to do.\nComplete!\n");
      return 0;
    default:
      return fail(inv, `No such command: ${verb ?? ""}. Please use /usr/bin/dnf --help`);
  }
};

const rpm: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["--qf", "--queryformat"]);
  const m = inv.ctx.machine;
  if (!flags.has("-q") && !flags.has("--query")) {
    return Promise.resolve(fail(inv, "only queries (-q) are simulated"));
  }
  if (flags.has("-a")) {
    inv.io.out(Object.values(m.state.packages).sort().map((n) => n + "\n").join(""));
    return Promise.resolve(0);
  }
  let missing = 0;
  for (const name of operands) {
    const pkg = findPackage(m.profile, name);
    const nevra = m.state.packages[name] ??
      Object.values(m.state.packages).find((n) => n === name) ??
      (pkg ? m.state.packages[pkg.name] : undefined);
    if (nevra) inv.io.out(nevra + "\n");
    else {
      inv.io.out(`package ${name} is not installed\n`);
      missing++;
    }
  }
  return Promise.resolve(missing);
};

/** Package commands by name. */
export const packageCommands: Record<string, CommandFn> = { dnf, yum: dnf, rpm };
