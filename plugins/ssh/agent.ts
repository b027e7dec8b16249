/**
 * The user's ssh-agent (`SSH_AUTH_SOCK`), used like `ssh` does when no key
 * file is given: its keys authenticate the target and the jump host, the
 * agent signs (the private keys never enter this process). Source: OpenSSH
 * ssh(1) "SSH_AUTH_SOCK", ssh-agent(1); ssh2's `OpenSSHAgent` speaks the agent protocol.
 * @module
 */
import { OpenSSHAgent } from "ssh2";
import { StepError } from "../../runner/errors.ts";

/** Environment variable naming the agent's socket. */
export const AGENT_SOCKET_ENV = "SSH_AUTH_SOCK";

/** An ssh-agent that answered, with the keys it holds. */
export interface AgentIdentities {
  /** Socket path (the value of `SSH_AUTH_SOCK`). */
  socket: string;
  /** Key types it holds, e.g. `ssh-ed25519`, in its order. */
  keyTypes: string[];
}

/** Bound of the identities request, milliseconds (the agent is local). */
const AGENT_TIMEOUT_MS = 10_000;

/**
 * Asks the agent at `socket` which keys it holds.
 * @throws StepError `config` when the agent cannot be reached, does not answer
 *   within 10 s, or holds no key (each with what to do: start it, `ssh-add`, or
 *   set `private_key`).
 */
export async function agentIdentities(socket: string): Promise<AgentIdentities> {
  const agent = new OpenSSHAgent(socket);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let keys: string[];
  try {
    keys = await new Promise<string[]>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${AGENT_TIMEOUT_MS / 1000} s`)),
        AGENT_TIMEOUT_MS,
      );
      agent.getIdentities((error, found) =>
        error ? reject(error) : resolve((found ?? []).map((k) => "type" in k ? k.type : "unknown"))
      );
    });
  } catch (error) {
    throw new StepError(
      "config",
      `no private_key given, and the ssh-agent at ${AGENT_SOCKET_ENV}=${socket} cannot be ` +
        `used (${(error as Error).message}): start one (eval "$(ssh-agent)"; ssh-add KEYFILE), ` +
        `or set private_key to the key file`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  if (keys.length === 0) {
    throw new StepError(
      "config",
      `no private_key given, and the ssh-agent at ${AGENT_SOCKET_ENV}=${socket} holds no ` +
        `key (ssh-add -l: "The agent has no identities."): add one with ssh-add KEYFILE, or ` +
        `set private_key to the key file`,
    );
  }
  return { socket, keyTypes: keys };
}

/** The agent socket from the environment, or undefined when `SSH_AUTH_SOCK` is unset or empty. */
export function agentSocket(): string | undefined {
  const socket = Deno.env.get(AGENT_SOCKET_ENV);
  return socket ? socket : undefined;
}
