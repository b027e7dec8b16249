/**
 * Runs one command line against a simulated host: an SSH `exec` request goes
 * through the mini shell as the login user (`ec2-user`, `ubuntu`, ...) in its
 * home directory; the SSM agent's
 * Run Command script goes through the same path as `root` (`user: "root"`)
 * in its working directory. Output is streamed, and the result is an exit
 * status, or `aborted` when the signal fired (client signal, channel closed,
 * network dropped, CancelCommand). Shared by the in-process ssh2 server, the
 * OpenSSH `ForceCommand` entry and the simulated SSM agent.
 * @module
 */
import { createShell } from "./commands/mod.ts";
import type { ShellIO } from "./commands/types.ts";
import { EC2_USER_UID } from "./model/initial.ts";
import type { Machine } from "./model/machine.ts";

const shell = createShell();

/**
 * A non-root SSH user's PATH: Fedora-family sshd's default (with /usr/sbin);
 * Ubuntu's `/etc/environment` (with /usr/sbin); Debian's sshd default
 * (without: `modinfo` is `command not found`). NOTES.md, "A real Linux host".
 */
function userPath(machine: Machine): string {
  if (machine.facts.family !== "apt") {
    const home = `/home/${machine.state.loginUser}`;
    const base = `${home}/.local/bin:${home}/bin:/usr/local/bin:/usr/bin`;
    return machine.profile.sbin_on_user_path ? `${base}:/usr/local/sbin:/usr/sbin` : base;
  }
  return machine.profile.sbin_on_user_path
    ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin"
    : "/usr/local/bin:/usr/bin:/bin:/usr/games";
}

/**
 * PATH of processes the SSM agent starts: systemd's default for services
 * (`amazon-ssm-agent.service` sets none), which has the sbin directories.
 */
const SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

/** What {@link runExec} needs. */
export interface ExecRequest {
  /** The command line, as `bash -c` would get it. */
  command: string;
  /** Who runs it: the host's login user (SSH, default) or `root` (the SSM agent). */
  user?: "login" | "root";
  /** Working directory (default: the user's home). */
  cwd?: string;
  machine: Machine;
  /** Aborts the foreground job (session gone, client signal). */
  signal: AbortSignal;
  /** Aborts every process of the host (power cycle): detached jobs watch it. */
  lifetime: AbortSignal;
  io: ShellIO;
}

/** Outcome of {@link runExec}. */
export type ExecOutcome = { exitCode: number } | { aborted: unknown };

/**
 * Runs a command line as the login user (or `root`). Never throws: an abort comes
 * back as `{ aborted: reason }`.
 */
export async function runExec(req: ExecRequest): Promise<ExecOutcome> {
  const root = req.user === "root";
  const user = root ? "root" : req.machine.state.loginUser;
  const home = root ? "/root" : `/home/${user}`;
  try {
    const exitCode = await shell.run(req.command, {
      machine: req.machine,
      uid: root ? 0 : EC2_USER_UID,
      cwd: req.cwd ?? home,
      vars: {
        HOME: home,
        USER: user,
        LOGNAME: user,
        SHELL: "/bin/bash",
        PATH: root ? SERVICE_PATH : userPath(req.machine),
        "?": "0",
      },
      signal: req.signal,
      lifetime: req.lifetime,
    }, req.io);
    // A session whose connection died delivers no exit status.
    if (req.signal.aborted) return { aborted: req.signal.reason };
    return { exitCode };
  } catch (e) {
    if (req.signal.aborted) return { aborted: req.signal.reason };
    req.io.err(`bash: internal simulator error: ${e instanceof Error ? e.message : String(e)}\n`);
    return { exitCode: 1 };
  }
}
