/**
 * Debian/Ubuntu package commands of the simulated host: `apt-get` and `apt`
 * (`install [-y]`, `update`, `remove`), `dpkg -s|-l` and `dpkg-query -W [-f]`.
 * They exist only on hosts whose distribution uses apt. Installing takes
 * simulated time; `linux-headers-$(uname -r)` provides the kernel build tree;
 * the profile fault `package_install` fails like an unreachable mirror.
 *
 * Domain source: PTP.md section 8 (`linux-headers-$(uname -r)`, `build-essential`
 * on apt systems); apt-get(8), dpkg-query(1) output.
 * @module
 */
import { type RepoPackage, repository, rpmArch } from "../model/packages.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, parseFlags } from "./util.ts";

const LOCK_ERROR =
  "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n";
const APT_WARNING =
  "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n";
const READING =
  "Reading package lists...\nBuilding dependency tree...\nReading state information...\n";

function mirror(inv: Invocation): string {
  return inv.ctx.machine.facts.family === "apt" && inv.ctx.machine.profile.distribution.startsWith(
      "ubuntu",
    )
    ? "http://archive.ubuntu.com/ubuntu"
    : "http://deb.debian.org/debian";
}

async function install(inv: Invocation, names: string[], yes: boolean): Promise<number> {
  const m = inv.ctx.machine;
  const repo = repository(m.profile);
  let out = READING;
  const todo: RepoPackage[] = [];
  const add = (p: RepoPackage) => {
    if (todo.includes(p) || m.state.packages[p.name]) return;
    todo.push(p);
    for (const d of p.depends ?? []) {
      const dep = repo.find((r) => r.name === d);
      if (dep) add(dep);
    }
  };
  for (const name of names) {
    const pkg = repo.find((p) => p.name === name);
    if (!pkg) {
      inv.io.out(out);
      inv.io.err(`E: Unable to locate package ${name}\n`);
      return 100;
    }
    if (m.state.packages[pkg.name]) {
      out += `${pkg.name} is already the newest version (${pkg.versionRelease}).\n`;
    } else add(pkg);
  }
  if (!todo.length) {
    inv.io.out(out + "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
    return 0;
  }
  const list = todo.map((p) => p.name).sort().join(" ");
  out +=
    `The following NEW packages will be installed:\n  ${list}\n0 upgraded, ${todo.length} newly installed, 0 to remove and 0 not upgraded.\n`;
  if (!yes) {
    inv.io.out(out + "Do you want to continue? [Y/n] Abort.\n");
    return 1;
  }
  inv.io.out(out);
  const arch = rpmArch(m.profile);
  if (m.profile.faults.package_install) {
    await m.clock.sleep(20, inv.ctx.signal);
    const host = new URL(mirror(inv)).host;
    inv.io.err(
      `E: Failed to fetch ${mirror(inv)}/pool/main/${todo[0].name[0]}/${todo[0].name}/${
        todo[0].name
      }_${
        todo[0].versionRelease
      }_${arch}.deb  Temporary failure resolving '${host}'\nE: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n`,
    );
    return 100;
  }
  todo.forEach((p, i) => {
    inv.io.out(
      `Get:${i + 1} ${
        mirror(inv)
      } main ${arch} ${p.name} ${arch} ${p.versionRelease} [${p.size}]\n`,
    );
  });
  await m.clock.sleep(4 + 3 * todo.length, inv.ctx.signal);
  for (const p of todo) {
    m.state.packages[p.name] = p.versionRelease;
    if (p.name.startsWith("linux-headers-")) {
      const dir = m.facts.headersDir(m.profile.kernel);
      m.fs.mkdir(dir, 0, true);
      m.fs.write(`${dir}/Makefile`, `# Makefile of the ${m.profile.kernel} kernel headers\n`, 0);
    }
    inv.io.out(
      `Selecting previously unselected package ${p.name}.\nSetting up ${p.name} (${p.versionRelease}) ...\n`,
    );
  }
  return 0;
}

/** `apt-get` / `apt`. */
function aptCommand(warn: boolean): CommandFn {
  return async (inv) => {
    const { flags, operands } = parseFlags(inv.args, ["-o", "-t"]);
    if (warn) inv.io.err(APT_WARNING);
    const [verb, ...rest] = operands;
    const m = inv.ctx.machine;
    const yes = flags.has("-y") || flags.has("--yes") || flags.has("--assume-yes");
    if (["install", "update", "remove", "purge", "upgrade"].includes(verb ?? "")) {
      if (inv.ctx.uid !== 0) {
        inv.io.err(
          verb === "update"
            ? "E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n"
            : LOCK_ERROR,
        );
        return 100;
      }
    }
    switch (verb) {
      case "install":
        return await install(inv, rest, yes);
      case "update": {
        if (m.profile.faults.package_install) {
          await m.clock.sleep(20, inv.ctx.signal);
          inv.io.out(`Ign:1 ${mirror(inv)} stable InRelease\n`);
          inv.io.err(
            `W: Failed to fetch ${
              mirror(inv)
            }/dists/stable/InRelease  Temporary failure resolving '${
              new URL(mirror(inv)).host
            }'\nW: Some index files failed to download. They have been ignored, or old ones used instead.\n`,
          );
          return 0;
        }
        await m.clock.sleep(3, inv.ctx.signal);
        inv.io.out(
          `Hit:1 ${mirror(inv)} stable InRelease\n${READING}All packages are up to date.\n`,
        );
        return 0;
      }
      case "remove":
      case "purge":
        for (const name of rest) delete m.state.packages[name];
        inv.io.out(READING);
        return 0;
      case "upgrade":
        inv.io.out(READING + "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
        return 0;
      default:
        return fail(inv, `E: Invalid operation ${verb ?? ""}`, 100);
    }
  };
}

/** `dpkg-query -W [-f=FORMAT] NAME...`, also behind `dpkg -s` and `dpkg -l`. */
const dpkgQuery: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args, ["-f", "--showformat"]);
  const m = inv.ctx.machine;
  let status = 0;
  let out = "";
  const format = (flags.get("-f") ?? flags.get("--showformat")) as string | undefined;
  for (const name of operands) {
    const version = m.state.packages[name];
    if (version === undefined) {
      inv.io.err(`dpkg-query: no packages found matching ${name}\n`);
      status = 1;
      continue;
    }
    if (flags.has("-s") || flags.has("--status")) {
      out += `Package: ${name}\nStatus: install ok installed\nArchitecture: ${
        rpmArch(m.profile)
      }\nVersion: ${version}\n\n`;
    } else if (format !== undefined) {
      out += format.replaceAll("${Status}", "install ok installed")
        .replaceAll("${Version}", version).replaceAll("${Package}", name)
        .replaceAll("${db:Status-Abbrev}", "ii ").replaceAll("\\n", "\n");
    } else out += `${name}\t${version}\n`;
  }
  inv.io.out(out);
  return Promise.resolve(status);
};

const dpkg: CommandFn = (inv) => {
  const { flags, operands } = parseFlags(inv.args);
  const m = inv.ctx.machine;
  if (flags.has("-s") || flags.has("--status")) {
    let status = 0;
    for (const name of operands) {
      const version = m.state.packages[name];
      if (version === undefined) {
        inv.io.err(
          `dpkg-query: package '${name}' is not installed and no information is available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.\n`,
        );
        status = 1;
      } else {
        inv.io.out(
          `Package: ${name}\nStatus: install ok installed\nArchitecture: ${
            rpmArch(m.profile)
          }\nVersion: ${version}\n`,
        );
      }
    }
    return Promise.resolve(status);
  }
  if (flags.has("-l") || flags.has("--list")) {
    const names = operands.length ? operands : Object.keys(m.state.packages).sort();
    let out =
      "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n||/ Name           Version      Architecture Description\n+++-==============-============-============-=================================\n";
    let status = 0;
    for (const n of names) {
      const v = m.state.packages[n];
      if (v === undefined) {
        inv.io.err(`dpkg-query: no packages found matching ${n}\n`);
        status = 1;
      } else out += `ii  ${n.padEnd(14)} ${v.padEnd(12)} ${rpmArch(m.profile).padEnd(12)} ${n}\n`;
    }
    inv.io.out(out);
    return Promise.resolve(status);
  }
  return Promise.resolve(fail(inv, "only -s and -l are simulated", 2));
};

/** apt/dpkg commands by name. */
export const aptCommands: Record<string, CommandFn> = {
  "apt-get": aptCommand(false),
  apt: aptCommand(true),
  dpkg,
  "dpkg-query": dpkgQuery,
};
