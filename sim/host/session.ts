/**
 * Runs one SSH `exec` request against a simulated host: the command line goes
 * through the mini shell as `ec2-user` in `/home/ec2-user`, output is streamed,
 * and the result is an exit status, or `aborted` when the session's signal
 * fired (client signal, channel closed, network dropped). Shared by the
 * in-process ssh2 server and the OpenSSH `ForceCommand` entry.
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
    const base = "/home/ec2-user/.local/bin:/home/ec2-user/bin:/usr/local/bin:/usr/bin";
    return machine.profile.sbin_on_user_path ? `${base}:/usr/local/sbin:/usr/sbin` : base;
  }
  return machine.profile.sbin_on_user_path
    ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin"
    : "/usr/local/bin:/usr/bin:/bin:/usr/games";
}

/** What {@link runExec} needs. */
export interface ExecRequest {
  /** The command line, as `bash -c` would get it. */
  command: string;
  machine: Machine;
  /** Aborts the foreground job (session gone, client signal). */
  signal: AbortSignal;
  /** Aborts every process of the host (power cycle): detached jobs watch it. */
  lifetime: AbortSignal;
  io: ShellIO;
}

/** Outcome of {@link runExec}. */
export type ExecOutcome = { exitCode: number } | { aborted: unknown };

/** Runs a command line as `ec2-user`. Never throws: an abort comes back as `{ aborted: reason }`. */
export async function runExec(req: ExecRequest): Promise<ExecOutcome> {
  const home = "/home/ec2-user";
  try {
    const exitCode = await shell.run(req.command, {
      machine: req.machine,
      uid: EC2_USER_UID,
      cwd: home,
      vars: {
        HOME: home,
        USER: "ec2-user",
        LOGNAME: "ec2-user",
        SHELL: "/bin/bash",
        PATH: userPath(req.machine),
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
