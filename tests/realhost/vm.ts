/**
 * A real Linux host for tests: a Debian 12 guest (kernel 6.12, systemd, udev, OpenSSH, chrony
 * 4.3, linuxptp) booted under qemu 10 with TCG and an emulated `igb` NIC, whose driver exposes a
 * working PTP hardware clock (`/dev/ptp0`, `ethtool -T eth0` → `PTP Hardware Clock: 0`). The
 * guest's sshd is forwarded to a free port on 127.0.0.1 (user-mode network, restricted: the
 * guest reaches nothing else). Recipe and pitfalls: shared/NOTES.md, "A real Linux host with a
 * real PHC, on this machine".
 *
 * The image is built by `bash scripts/vm/build-image.sh` (root, Debian 12, Debian mirror; `.ci/run`
 * runs it) into `${PTP_RUNNER_VM_CACHE:-/var/cache/ptp-runner-vm}/<sha256 of the script>/`; set
 * `PTP_RUNNER_VM_DIR` to use another directory. Every {@link bootVm} starts from the same disk
 * through a fresh copy-on-write overlay, so a test never sees another test's changes.
 *
 * Typical use, including the ptp-runner CLI against the guest as an `existing-hosts` target:
 *
 * ```ts
 * const image = vmImage();
 * if (!image) skipNotice("real-VM pipeline tests");
 * Deno.test({ name: "…", ignore: !image, fn: () =>
 *   withVm(image!, async (vm) => {
 *     const before = await vm.snapshot();
 *     // The CLI as a subprocess: run pipelines/existing-hosts.yaml
 *     //   --set hosts=${vm.spec} --set private_key=${vm.keyPath}
 *     assertEquals(await vm.snapshot(), before);
 *     const sources = await vm.check("chronyc -n sources");
 *   }),
 * });
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The build script; its content's sha256 names the image's cache directory. */
export const BUILD_SCRIPT = fileURLToPath(
  new URL("../../scripts/vm/build-image.sh", import.meta.url),
);

/** Default root of the image cache (`PTP_RUNNER_VM_CACHE` overrides it, as in the script). */
export const DEFAULT_VM_CACHE = "/var/cache/ptp-runner-vm";

/** The guest's login user: key-only SSH, passwordless `sudo`. */
export const VM_USER = "admin";

/** A built guest image (the files of the cache directory). */
export interface VmImage {
  /** The cache directory. */
  dir: string;
  /** Raw ext4 root filesystem (never written: each boot writes to an overlay). */
  disk: string;
  /** Kernel and initramfs the guest boots (`linux-image-6.12.95+deb12-amd64`). */
  kernel: string;
  initrd: string;
  /** OpenSSH ed25519 private key authorized for {@link VM_USER} (mode 0600, owned by root). */
  keyPath: string;
  /** The guest sshd's ed25519 host public key line (`ssh-ed25519 AAAA… comment`). */
  hostKey: string;
}

/** Result of a command run on the guest over SSH. */
export interface SshResult {
  /** Exit status of the remote command (255: ssh itself failed). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link bootVm}. */
export interface BootOptions {
  /** Guest memory in MiB (default 1024). */
  memoryMiB?: number;
  /** Guest vCPUs (default 2). */
  cpus?: number;
  /** How long to wait for the guest's sshd, in ms (default 180 000; a TCG boot takes 20-60 s). */
  bootTimeoutMs?: number;
}

/** A running guest. Always {@link Vm.stop} it (in `finally`). */
export interface Vm {
  /** Address and port the guest's sshd is forwarded to. */
  host: "127.0.0.1";
  port: number;
  /** Login user ({@link VM_USER}). */
  user: string;
  /** Private key that logs in as {@link Vm.user}. */
  keyPath: string;
  /** `user@127.0.0.1:port`: the `existing-hosts` pipeline's `hosts` entry for this guest. */
  spec: string;
  /**
   * The guest sshd's host public key line (the same on every boot of the image). The guest has
   * no EC2 console output, so a tool connecting to it trusts on first use or is given this key.
   */
  hostKey: string;
  /** A known_hosts file naming `[127.0.0.1]:port` with {@link Vm.hostKey}. */
  knownHostsPath: string;
  /** Milliseconds from starting qemu until sshd answered with its banner. */
  bootMs: number;
  /**
   * Runs `command` on the guest as {@link Vm.user} through the system `ssh` client (BatchMode,
   * strict host key checking against {@link Vm.knownHostsPath}); `stdin` is sent to it. Root
   * commands need `sudo`; `/usr/sbin` tools (ethtool, modinfo) need their full path or sudo.
   */
  ssh(command: string, stdin?: string): Promise<SshResult>;
  /**
   * Like {@link Vm.ssh} but returns stdout.
   * @throws Error naming the command, its status and stderr when it exits non-zero
   */
  check(command: string, stdin?: string): Promise<string>;
  /**
   * A text fingerprint of the host state the tool may change, to compare byte for byte before
   * and after a run: mode, owner and path of everything under /etc, sha256 of each regular file,
   * symlink targets, loaded modules, chrony's state and invocation id (a restart changes it),
   * `/dev/ptp*` and `/etc/udev/rules.d`.
   */
  snapshot(): Promise<string>;
  /** The guest's serial console so far (kernel and systemd messages). */
  console(): string;
  /** Stops qemu and removes the overlay; safe to call twice. */
  stop(): Promise<void>;
}

/** Where the image should be: `PTP_RUNNER_VM_DIR`, else the cache dir named by the script hash. */
export function vmImageDir(): string {
  const dir = Deno.env.get("PTP_RUNNER_VM_DIR");
  if (dir) return dir;
  const cache = Deno.env.get("PTP_RUNNER_VM_CACHE") || DEFAULT_VM_CACHE;
  return join(cache, sha256Hex(Deno.readFileSync(BUILD_SCRIPT)));
}

/**
 * Why real-VM tests cannot run here, or null when they can: they need Linux, root (the key
 * file is root's), qemu-system-x86_64 and qemu-img 10 or later, the ssh client, and a built
 * image (its `ready` marker).
 */
export function vmUnavailable(): string | null {
  if (Deno.build.os !== "linux") return "real-VM tests run on Linux only";
  if (Deno.uid() !== 0) return "real-VM tests need root";
  const qemu = commandOutput("qemu-system-x86_64", ["--version"]);
  const major = Number(/version (\d+)\./.exec(qemu ?? "")?.[1] ?? 0);
  if (major < 10) return `qemu-system-x86_64 10 or later is missing (found: ${qemu ?? "none"})`;
  if (commandOutput("qemu-img", ["--version"]) === undefined) return "qemu-img is missing";
  if (commandOutput("ssh", ["-V"]) === undefined) return "the ssh client is missing";
  const dir = vmImageDir();
  try {
    Deno.statSync(join(dir, "ready"));
  } catch {
    return `no VM image in ${dir}`;
  }
  return null;
}

/** The built image, or undefined when {@link vmUnavailable} gives a reason. */
export function vmImage(): VmImage | undefined {
  if (vmUnavailable() !== null) return undefined;
  const dir = vmImageDir();
  return {
    dir,
    disk: join(dir, "disk.img"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    keyPath: join(dir, "id_ed25519"),
    hostKey: Deno.readTextFileSync(join(dir, "host_ed25519.pub")).trim(),
  };
}

/**
 * Prints a visible notice that the real-VM tests `what` are skipped and why, with how to build
 * the image. Does nothing when they can run.
 */
export function skipNotice(what: string): void {
  const reason = vmUnavailable();
  if (reason === null) return;
  console.warn(
    `NOTICE: ${what} skipped: ${reason}. Build the image as root on Debian 12 with ` +
      "`bash scripts/vm/build-image.sh` (tests/realhost/vm.ts).",
  );
}

/**
 * Boots the image, runs `fn` with the guest, and stops the guest afterwards, also when `fn`
 * throws.
 * @returns what `fn` returns
 * @throws what {@link bootVm} or `fn` throws
 */
export async function withVm<T>(
  image: VmImage,
  fn: (vm: Vm) => Promise<T>,
  opts: BootOptions = {},
): Promise<T> {
  const vm = await bootVm(image, opts);
  try {
    return await fn(vm);
  } finally {
    await vm.stop();
  }
}

/**
 * Boots the image on a fresh overlay and waits until the guest's sshd answers and lets
 * {@link VM_USER} in.
 * @throws Error (with the serial console's tail) when qemu exits or sshd does not answer within
 *   `bootTimeoutMs`; qemu is stopped and the overlay removed then
 */
export async function bootVm(image: VmImage, opts: BootOptions = {}): Promise<Vm> {
  const dir = await Deno.makeTempDir({ prefix: "ptp-runner-vm-" });
  const overlay = join(dir, "overlay.qcow2");
  const consoleLog = join(dir, "console.log");
  const knownHostsPath = join(dir, "known_hosts");
  const port = freePort();
  await Deno.writeTextFile(knownHostsPath, `[127.0.0.1]:${port} ${image.hostKey}\n`);
  await run("qemu-img", ["create", "-q", "-f", "qcow2", "-b", image.disk, "-F", "raw", overlay]);
  const started = Date.now();
  const child = new Deno.Command("qemu-system-x86_64", {
    args: [
      // TCG: nested KVM stops this kernel early with "KVM internal error" (NOTES.md).
      ...["-accel", "tcg", "-cpu", "max"],
      ...["-smp", String(opts.cpus ?? 2), "-m", String(opts.memoryMiB ?? 1024)],
      ...["-display", "none", "-monitor", "none", "-serial", `file:${consoleLog}`, "-no-reboot"],
      ...["-drive", `file=${overlay},format=qcow2,if=virtio`],
      // igb: a PHC that advances like a real one (e1000e's does not).
      ...["-device", "igb,netdev=n0"],
      ...["-netdev", `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`],
      ...["-kernel", image.kernel, "-initrd", image.initrd],
      ...["-append", "console=ttyS0 root=/dev/vda rw net.ifnames=0"],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let qemuStderr = "";
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) qemuStderr += decoder.decode(chunk);
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const readConsole = () => {
    try {
      return Deno.readTextFileSync(consoleLog);
    } catch {
      return "";
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
    }
    await status;
    await stderrDone;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const ssh = (command: string, stdin?: string) =>
    sshRun(image.keyPath, knownHostsPath, port, command, stdin);
  const check = async (command: string, stdin?: string) => {
    const r = await ssh(command, stdin);
    if (r.code !== 0) {
      throw new Error(`guest: \`${command}\` exited ${r.code}: ${r.stderr.trim()}`);
    }
    return r.stdout;
  };

  try {
    await waitForSshBanner(port, opts.bootTimeoutMs ?? 180_000, () => exited);
    const bootMs = Date.now() - started;
    // The banner comes before logins work on a slow boot: retry the first login briefly.
    let login = await ssh("true");
    for (let i = 0; login.code !== 0 && i < 20; i++) {
      await sleep(1_000);
      login = await ssh("true");
    }
    if (login.code !== 0) throw new Error(`cannot log in as ${VM_USER}: ${login.stderr.trim()}`);
    // sshd answers before the boot has finished; units still starting may write under /etc
    // (seen under load: a snapshot taken too early differed from the next one with nothing
    // done). Wait until systemd reports the boot finished ("running" or "degraded").
    await ssh("timeout 180 systemctl is-system-running --wait");
    return {
      host: "127.0.0.1",
      port,
      user: VM_USER,
      keyPath: image.keyPath,
      spec: `${VM_USER}@127.0.0.1:${port}`,
      hostKey: image.hostKey,
      knownHostsPath,
      bootMs,
      ssh,
      check,
      snapshot: () => check("sudo LC_ALL=C bash -s", SNAPSHOT_SCRIPT),
      console: readConsole,
      stop,
    };
  } catch (e) {
    const tail = readConsole().split("\n").slice(-40).join("\n");
    await stop();
    throw new Error(`VM boot failed: ${e}\nqemu stderr: ${qemuStderr}\nconsole tail:\n${tail}`);
  }
}

/**
 * The host-state fingerprint (run as root with `bash -s`). Nothing under /etc is excluded:
 * two snapshots of a booted guest with nothing done in between are equal
 * (tests/realhost/vm_test.ts checks it).
 */
const SNAPSHOT_SCRIPT = `set -euo pipefail
echo "## /etc entries (type mode owner path [-> target])"
find /etc -printf '%y %m %u:%g %p %l\\n' | sort
echo "## /etc regular files (sha256)"
find /etc -type f -print0 | sort -z | xargs -0 sha256sum
echo "## loaded modules"
awk '{print $1}' /proc/modules | sort
echo "## chrony"
echo "active: $(systemctl is-active chrony || true)"
echo "enabled: $(systemctl is-enabled chrony || true)"
systemctl show -p InvocationID chrony
echo "## /dev/ptp*"
find /dev -maxdepth 1 -name 'ptp*' -printf '%y %p %l\\n' | sort
echo "## /etc/udev/rules.d"
ls -A /etc/udev/rules.d
`;

async function sshRun(
  keyPath: string,
  knownHostsPath: string,
  port: number,
  command: string,
  stdin?: string,
): Promise<SshResult> {
  const child = new Deno.Command("ssh", {
    args: [
      ...["-i", keyPath, "-p", String(port)],
      ...["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes"],
      ...["-o", `UserKnownHostsFile=${knownHostsPath}`, "-o", "GlobalKnownHostsFile=/dev/null"],
      ...["-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"],
      `${VM_USER}@127.0.0.1`,
      "--",
      command,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (stdin !== undefined) await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * Waits until something on 127.0.0.1:`port` sends an SSH banner. qemu's user-mode forward
 * accepts connections before the guest listens (and drops them), so a connect alone proves
 * nothing.
 */
async function waitForSshBanner(port: number, ms: number, exited: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  let last = "";
  while (Date.now() < end) {
    if (exited()) throw new Error("qemu exited");
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        const buf = new Uint8Array(64);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const n = await Promise.race([
          conn.read(buf),
          new Promise<null>((r) => (timer = setTimeout(() => r(null), 5_000))),
        ]);
        clearTimeout(timer);
        const text = n ? new TextDecoder().decode(buf.subarray(0, n)) : "";
        if (text.startsWith("SSH-")) return;
        last = text ? `unexpected banner ${JSON.stringify(text)}` : "no banner";
      } finally {
        conn.close();
      }
    } catch (e) {
      last = String(e);
    }
    await sleep(1_000);
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port} within ${ms} ms (${last})`);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** stdout of a command, or undefined when it is missing or fails. */
function commandOutput(cmd: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
    if (!out.success) return undefined;
    const decoder = new TextDecoder();
    return (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim();
  } catch {
    return undefined;
  }
}

function sha256Hex(data: Uint8Array): string {
  // node:crypto hashes synchronously (WebCrypto's digest is async only).
  return createHash("sha256").update(data).digest("hex");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
