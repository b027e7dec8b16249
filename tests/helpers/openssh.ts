/**
 * A real OpenSSH `sshd` in front of the simulated host model, for tests:
 * `sshd -D -e -f cfg` on 127.0.0.x:free-port with a temporary ed25519 host
 * key, an `AuthorizedKeysFile`, `UsePAM no`, `StrictModes no`, user `ptpsim`
 * (created with `useradd -m` when missing, unlocked with `usermod -p '*'`),
 * and `ForceCommand deno run -A <repo>/sim/host/openssh-entry.ts --state FILE`.
 * Needs root and `/usr/sbin/sshd` (`apt-get install -y openssh-server`);
 * {@link openSshUnavailable} says why not otherwise. Recipe: shared/NOTES.md.
 * @module
 */
import type { InstanceProfile } from "../../sim/profile.ts";
import { writeInitialState } from "../../sim/host/openssh-state.ts";

/** User the sshd accepts. */
export const OPENSSH_USER = "ptpsim";

const SSHD = "/usr/sbin/sshd";

/** A running sshd. */
export interface OpenSshHost {
  address: string;
  port: number;
  user: string;
  /** State file of the simulated host behind it. */
  stateFile: string;
  /** sshd's log so far (stderr, `-e`). */
  log(): string;
  /** Stops sshd and removes the temporary files. */
  stop(): Promise<void>;
}

/** Options of {@link startOpenSsh}. */
export interface OpenSshOptions {
  /** OpenSSH public key line allowed to log in. */
  authorizedKey: string;
  /** The simulated host's profile (defaults applied). */
  profile: InstanceProfile;
  /** Simulated seconds per real second (default 50). */
  speed?: number;
  /** Loopback address to listen on (default a random 127.0.x.y). */
  address?: string;
}

/** Why real OpenSSH cannot be used here, or null when it can. */
export function openSshUnavailable(): string | null {
  if (Deno.build.os !== "linux") return "real OpenSSH tests run on Linux only";
  try {
    Deno.statSync(SSHD);
  } catch {
    return `${SSHD} is not installed (apt-get install -y openssh-server)`;
  }
  if (Deno.uid() !== 0) return "real OpenSSH tests need root (to run sshd and create a user)";
  return null;
}

async function run(cmd: string, args: string[], allowFail = false): Promise<Deno.CommandOutput> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out;
}

function freePort(hostname: string): number {
  const l = Deno.listen({ hostname, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(hostname: string, port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      (await Deno.connect({ hostname, port })).close();
      return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`sshd did not listen on ${hostname}:${port}: ${e}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let entryCopy: Promise<string> | undefined;

/**
 * The OpenSSH entry as the sshd user can run it: the repository may sit in a
 * directory only root can read (CI clones into a private temp dir), so
 * `sim/` and the Deno config are copied once per test process into a
 * world-readable directory, and the entry's npm dependencies are cached for
 * that user before sshd starts (so no session waits for a download).
 */
function entryForSshUser(): Promise<string> {
  entryCopy ??= (async () => {
    const root = new URL("../../", import.meta.url).pathname;
    const dest = await Deno.makeTempDir({ prefix: "ptp-runner-openssh-code-" });
    await run("cp", ["-r", `${root}sim`, `${root}deno.json`, `${root}deno.lock`, dest]);
    await run("chmod", ["-R", "a+rX", dest]);
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dest, { recursive: true });
      } catch { /* already gone */ }
    });
    const entry = `${dest}/sim/host/openssh-entry.ts`;
    await run("runuser", ["-u", OPENSSH_USER, "--", Deno.execPath(), "cache", "--quiet", entry]);
    return entry;
  })();
  return entryCopy;
}

/**
 * Starts sshd with the simulated host behind it.
 * @throws Error when sshd's config test fails or it does not listen within 10 s
 */
export async function startOpenSsh(o: OpenSshOptions): Promise<OpenSshHost> {
  const reason = openSshUnavailable();
  if (reason) throw new Error(reason);
  if (!(await run("id", [OPENSSH_USER], true)).success) await run("useradd", ["-m", OPENSSH_USER]);
  await run("usermod", ["-p", "*", OPENSSH_USER]);
  await Deno.mkdir("/run/sshd", { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "ptp-runner-sshd-" });
  await Deno.chmod(dir, 0o755);
  const address = o.address ??
    `127.0.${1 + Math.floor(Math.random() * 99)}.${2 + Math.floor(Math.random() * 250)}`;
  const port = freePort(address);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/host_ed25519`]);
  await Deno.writeTextFile(`${dir}/authorized_keys`, o.authorizedKey.trim() + "\n");
  const stateDir = `${dir}/state`;
  await Deno.mkdir(stateDir);
  const stateFile = `${stateDir}/host.json`;
  writeInitialState(stateFile, { address, profile: o.profile, speed: o.speed });
  await run("chown", ["-R", OPENSSH_USER, stateDir]);
  const entry = await entryForSshUser();
  const cfg = `${dir}/sshd_config`;
  await Deno.writeTextFile(
    cfg,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      `AllowUsers ${OPENSSH_USER}`,
      `ForceCommand ${Deno.execPath()} run -A --no-prompt ${entry} --state ${stateFile}`,
      "",
    ].join("\n"),
  );
  await run(SSHD, ["-t", "-f", cfg]);
  const child = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", cfg],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) log += decoder.decode(chunk);
  })();
  try {
    await waitForPort(address, port, 10_000);
  } catch (e) {
    child.kill("SIGTERM");
    await child.status;
    throw new Error(`${e}\n${log}`);
  }
  return {
    address,
    port,
    user: OPENSSH_USER,
    stateFile,
    log: () => log,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* exited */ }
      await child.status;
      // A session process sshd forked may still hold stderr open: do not wait for it forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        reading,
        new Promise((resolve) => (timer = setTimeout(resolve, 2_000))),
      ]);
      clearTimeout(timer);
      await Deno.remove(dir, { recursive: true });
    },
  };
}
