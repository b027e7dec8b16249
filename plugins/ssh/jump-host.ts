/**
 * Reaching a target through a jump host (bastion): parse `user@host[:port]`
 * and open a TCP channel to the target with ssh2's `forwardOut`, over which
 * the target's SSH connection runs (`sock`).
 * @module
 */
import type { Client, ClientChannel } from "ssh2";
import { StepError } from "../../runner/errors.ts";
import { AttemptError, type SshEndpoint } from "./connect-attempt.ts";

const JUMP_PATTERN = /^(?:([A-Za-z0-9._-]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * Parses a jump host `user@host[:port]` (user defaults to `defaultUser`,
 * port to 22; IPv6 in brackets).
 * @throws StepError kind `config` naming the input `jump_host` and the expected form.
 */
export function parseJumpHost(spec: string, defaultUser: string): SshEndpoint {
  const m = JUMP_PATTERN.exec(spec.trim());
  const port = m?.[3] === undefined ? 22 : Number(m[3]);
  if (!m || port < 1 || port > 65535) {
    throw new StepError(
      "config",
      `jump_host "${spec}" is not user@host[:port] (e.g. ec2-user@bastion.example.com:22)`,
    );
  }
  return { user: m[1] ?? defaultUser, host: m[2].replace(/^\[|\]$/g, ""), port };
}

/**
 * Opens a direct TCP channel from `jump` to `target` (`forwardOut`).
 * @throws AttemptError (retryable, kind `connection`) when the jump host cannot reach the target.
 */
export function forwardThrough(jump: Client, target: SshEndpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    jump.forwardOut("127.0.0.1", 0, target.host, target.port, (error, channel) => {
      if (error) {
        reject(
          new AttemptError(
            `jump host cannot reach ${target.host}:${target.port} (${error.message})`,
            { kind: "connection", retryable: true, cause: error },
          ),
        );
      } else resolve(channel);
    });
  });
}
