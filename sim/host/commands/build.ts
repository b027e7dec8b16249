/**
 * Build commands of the simulated host: `git clone` of amzn-drivers (offline:
 * creates the source tree), `git checkout`/`rev-parse`, `make` in
 * `kernel/linux/ena` (with `ENA_PHC_INCLUDE=1` a PHC-capable `ena.ko`, without
 * it a driver lacking `phc_enable`; fails like gcc when headers are missing or
 * with the profile fault `driver_build`), `gcc --version`.
 *
 * Domain source: PTP.md section 2 (build with `ENA_PHC_INCLUDE=1 make` in
 * `kernel/linux/ena`; headers from `kernel-devel-$(uname -r)`).
 * @module
 */
import { posix } from "node:path";
import { AMZN_DRIVERS_VERSION, encodeEnaModule } from "../model/ena-module.ts";
import { FsError } from "../model/fs.ts";
import type { CommandFn, Invocation } from "./types.ts";
import { fail, parseFlags, pathOf } from "./util.ts";

const ENA_SOURCES = [
  "ena_netdev.c",
  "ena_com.c",
  "ena_eth_com.c",
  "ena_ethtool.c",
  "ena_xdp.c",
  "ena_lpc.c",
  "ena_phc.c",
  "ena_devlink.c",
  "ena_sysfs.c",
  "net_dim.c",
  "dim.c",
];
const MARKER = "# ptp-runner simulator: amzn-drivers ENA Makefile, driver version ";

function versionFromRef(ref: string | undefined): string {
  const m = ref ? /(\d+\.\d+\.\d+)/.exec(ref) : null;
  return m ? `${m[1]}g` : AMZN_DRIVERS_VERSION;
}

function writeTree(inv: Invocation, root: string, version: string): void {
  const fs = inv.ctx.machine.fs;
  const uid = inv.ctx.uid;
  const ena = `${root}/kernel/linux/ena`;
  for (const d of [root, `${root}/.git`, `${root}/kernel`, `${root}/kernel/linux`, ena]) {
    fs.mkdir(d, uid, true);
  }
  fs.write(`${root}/.git/HEAD`, "ref: refs/heads/master\n", uid);
  fs.write(
    `${root}/README.md`,
    "# Official AWS drivers repository for Elastic Network Adapter (ENA) and Elastic Fabric Adapter (EFA)\n",
    uid,
  );
  fs.write(`${ena}/Makefile`, `${MARKER}${version}\nobj-m := ena.o\n`, uid);
  fs.write(
    `${ena}/README.rst`,
    "Linux kernel driver for Elastic Network Adapter (ENA) family\n",
    uid,
  );
  fs.write(`${ena}/RELEASENOTES.md`, `## r${version.replace(/g$/, "")} release notes\n`, uid);
  for (const f of ENA_SOURCES) fs.write(`${ena}/${f}`, `/* ${f} */\n`, uid);
}

const git: CommandFn = async (inv) => {
  const args = [...inv.args];
  let cwd = inv.ctx.cwd;
  if (args[0] === "-C") {
    cwd = pathOf(inv, args[1] ?? ".");
    args.splice(0, 2);
  }
  const [verb, ...rest] = args;
  const m = inv.ctx.machine;
  if (verb === "--version") {
    inv.io.out("git version 2.47.1\n");
    return 0;
  }
  if (verb === "clone") {
    const { flags, operands } = parseFlags(rest, ["--depth", "--branch", "-b", "--single-branch"]);
    const [url, dirArg] = operands;
    if (!url) return fail(inv, "fatal: You must specify a repository to clone.", 128);
    const name = dirArg ?? posix.basename(url).replace(/\.git$/, "");
    const dest = posix.isAbsolute(name) ? name : posix.join(cwd, name);
    if (!/amzn-drivers/.test(url)) {
      inv.io.err(`Cloning into '${name}'...\n`);
      const host = /^https?:\/\/([^/]+)/.exec(url)?.[1] ?? url;
      return fail(inv, `fatal: unable to access '${url}': Could not resolve host: ${host}`, 128);
    }
    try {
      if (m.fs.stat(dest) && m.fs.list(dest).length) {
        return fail(
          inv,
          `fatal: destination path '${name}' already exists and is not an empty directory.`,
          128,
        );
      }
    } catch { /* not a directory: mkdir reports it */ }
    inv.io.err(`Cloning into '${name}'...\n`);
    await m.clock.sleep(3, inv.ctx.signal);
    try {
      writeTree(
        inv,
        dest,
        versionFromRef((flags.get("--branch") ?? flags.get("-b")) as string | undefined),
      );
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      return fail(inv, `fatal: could not create work tree dir '${name}': ${e.text}`, 128);
    }
    return 0;
  }
  const top = findRepo(inv, cwd);
  if (!top) {
    return fail(inv, "fatal: not a git repository (or any of the parent directories): .git", 128);
  }
  if (verb === "checkout" || verb === "switch") {
    const ref = rest.find((a) => !a.startsWith("-"));
    const makefile = `${top}/kernel/linux/ena/Makefile`;
    try {
      m.fs.write(makefile, `${MARKER}${versionFromRef(ref)}\nobj-m := ena.o\n`, inv.ctx.uid);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      return fail(inv, `error: unable to unlink old '${makefile}': ${e.text}`, 1);
    }
    inv.io.err(`HEAD is now at 5b8f1c2 ${ref ?? ""}\n`);
    return 0;
  }
  if (verb === "rev-parse") {
    inv.io.out("5b8f1c2a6d0e4b3f9a7c1e2d3f4a5b6c7d8e9f01\n");
    return 0;
  }
  if (verb === "fetch" || verb === "pull" || verb === "status" || verb === "log") return 0;
  return fail(inv, `git: '${verb ?? ""}' is not a git command. See 'git --help'.`, 1);
};

function findRepo(inv: Invocation, dir: string): string | null {
  for (let d = dir;; d = posix.dirname(d)) {
    if (inv.ctx.machine.fs.stat(`${d}/.git`)) return d;
    if (d === "/") return null;
  }
}

const make: CommandFn = async (inv) => {
  const m = inv.ctx.machine;
  const vars: Record<string, string> = { ...inv.ctx.vars, ...inv.env };
  let dir = inv.ctx.cwd;
  const targets: string[] = [];
  for (let i = 0; i < inv.args.length; i++) {
    const a = inv.args[i];
    if (a === "-C") dir = pathOf(inv, inv.args[++i] ?? ".");
    else if (a.startsWith("-C")) dir = pathOf(inv, a.slice(2));
    else if (a === "-j" || a === "-l") i++;
    else if (a.includes("=")) vars[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
    else if (!a.startsWith("-")) targets.push(a);
  }
  let makefile = "";
  try {
    makefile = m.fs.read(`${dir}/Makefile`, inv.ctx.uid);
  } catch {
    inv.io.err("make: *** No targets specified and no makefile found.  Stop.\n");
    return 2;
  }
  const marker = new RegExp(`^${MARKER.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\S+)`, "m").exec(
    makefile,
  );
  if (!marker) {
    inv.io.out(`make: Nothing to be done for '${targets[0] ?? "all"}'.\n`);
    return 0;
  }
  const k = m.profile.kernel;
  if (targets.includes("clean")) {
    try {
      m.fs.remove(`${dir}/ena.ko`, inv.ctx.uid);
    } catch { /* nothing built */ }
    return 0;
  }
  const hasGcc = !!m.state.packages.gcc;
  if (!m.fs.stat(`/lib/modules/${k}/build`)) {
    inv.io.err(
      `make -C /lib/modules/${k}/build M=${dir} modules\nmake: *** /lib/modules/${k}/build: No such file or directory.  Stop.\nmake: *** [Makefile:79: default] Error 2\n`,
    );
    return 2;
  }
  inv.io.out(
    `make -C /lib/modules/${k}/build M=${dir} modules\nmake[1]: Entering directory '/usr/src/kernels/${k}'\n`,
  );
  if (!hasGcc) {
    inv.io.err(
      `make[1]: gcc: No such file or directory\nmake[2]: *** [scripts/Makefile.build:243: ${dir}/ena_netdev.o] Error 127\nmake[1]: *** [Makefile:2055: ${dir}] Error 2\nmake: *** [Makefile:79: default] Error 2\n`,
    );
    return 2;
  }
  await m.clock.sleep(5, inv.ctx.signal);
  if (m.profile.faults.driver_build) {
    inv.io.out(`  CC [M]  ${dir}/ena_netdev.o\n`);
    inv.io.err(
      [
        `${dir}/ena_netdev.c: In function 'ena_xdp_xmit':`,
        `${dir}/ena_netdev.c:512:17: error: implicit declaration of function 'xdp_return_frame_rx_napi'; did you mean 'xdp_return_frame_bulk'? [-Werror=implicit-function-declaration]`,
        `  512 |                 xdp_return_frame_rx_napi(xdpf);`,
        `      |                 ^~~~~~~~~~~~~~~~~~~~~~~~`,
        `${dir}/kcompat.h:1024:9: error: redefinition of 'ethtool_puts'`,
        "cc1: some warnings being treated as errors",
        `make[2]: *** [scripts/Makefile.build:243: ${dir}/ena_netdev.o] Error 1`,
        `make[1]: *** [Makefile:2055: ${dir}] Error 2`,
        `make[1]: Leaving directory '/usr/src/kernels/${k}'`,
        "make: *** [Makefile:79: default] Error 2",
        "",
      ].join("\n"),
    );
    return 2;
  }
  for (const src of ENA_SOURCES) {
    inv.io.out(`  CC [M]  ${dir}/${src.replace(/\.c$/, ".o")}\n`);
    await m.clock.sleep(4, inv.ctx.signal);
  }
  const phc = vars.ENA_PHC_INCLUDE === "1";
  try {
    m.fs.write(
      `${dir}/ena.ko`,
      encodeEnaModule({
        version: marker[1],
        phcParameter: phc,
        outOfTree: true,
        srcversion: phc ? "A1C0FFEE2B3C4D5E6F7A8B9" : "0B5C3D2E1F0A9B8C7D6E5F4",
      }),
      inv.ctx.uid,
    );
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    inv.io.err(`/bin/sh: ${dir}/ena.ko: ${e.text}\nmake[1]: *** [Makefile:2055: ${dir}] Error 2\n`);
    return 2;
  }
  inv.io.out(
    `  LD [M]  ${dir}/ena.o\n  MODPOST ${dir}/Module.symvers\n  CC [M]  ${dir}/ena.mod.o\n  LD [M]  ${dir}/ena.ko\n  BTF [M] ${dir}/ena.ko\nmake[1]: Leaving directory '/usr/src/kernels/${k}'\n`,
  );
  return 0;
};

/** Build commands by name. */
export const buildCommands: Record<string, CommandFn> = {
  git,
  make,
  gcc: (inv) => {
    if (inv.args.includes("--version")) {
      inv.io.out("gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2)\n");
    }
    return Promise.resolve(0);
  },
};
buildCommands.cc = buildCommands.gcc;
