/**
 * A real OpenSSH `ssh-agent` for tests: `ssh-agent -D -a <socket>` in a
 * temporary directory (foreground, so the test owns the process and stops it
 * by its pid), keys added with `ssh-add`. Use ed25519 keys: ssh2 under Deno
 * cannot use ECDSA ones (shared/NOTES.md).
 * @module
 */
import { join } from "node:path";
import { tempDir } from "./temp.ts";

/** A running ssh-agent. */
export interface TestAgent {
  /** Its socket: the value of `SSH_AUTH_SOCK`. */
  socket: string;
  /** `ssh-add <keyFile>` (the file must be mode 0600). */
  add(keyFile: string): Promise<void>;
  /** `ssh-add -D`: the agent then holds no key. */
  removeAll(): Promise<void>;
  /** Key lines `ssh-add -L` lists (empty when it holds none). */
  list(): Promise<string[]>;
  /** Stops the agent (SIGTERM to its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Why a real ssh-agent cannot be used here, or null when it can. */
export function sshAgentUnavailable(): string | null {
  for (const tool of ["ssh-agent", "ssh-add"]) {
    try {
      new Deno.Command(tool, { args: ["-h"], stdout: "null", stderr: "null" }).outputSync();
    } catch {
      return `${tool} is not installed (apt-get install -y openssh-client)`;
    }
  }
  return null;
}

async function sshAdd(socket: string, args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command("ssh-add", {
    args,
    env: { SSH_AUTH_SOCK: socket },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/**
 * Starts `ssh-agent -D -a <tmp>/agent.sock` and waits (up to 5 s) for its socket.
 * @throws Error when the socket does not appear (the agent is stopped first).
 */
export async function startSshAgent(): Promise<TestAgent> {
  const socket = join(await tempDir("ptp-agent-"), "agent.sock");
  const child = new Deno.Command("ssh-agent", {
    args: ["-D", "-a", socket],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
  };
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      if (Deno.statSync(socket).isSocket) break;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ssh-agent did not create ${socket}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const check = (what: string, out: Deno.CommandOutput) => {
    if (!out.success) {
      throw new Error(`${what} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  return {
    socket,
    add: async (keyFile) => check(`ssh-add ${keyFile}`, await sshAdd(socket, [keyFile])),
    removeAll: async () => check("ssh-add -D", await sshAdd(socket, ["-D"])),
    list: async () => {
      const out = await sshAdd(socket, ["-L"]);
      // Exit 1 with "The agent has no identities." when empty.
      return out.success
        ? new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim() !== "")
        : [];
    },
    stop,
  };
}
