/**
 * Loading the SSH private key a `connect` step authenticates with: `~`
 * expansion, clear errors for a missing or unreadable file, a warning for a
 * group/other-readable file, passphrases for encrypted keys (environment
 * variable or an interactive prompt). Key material is never logged; the file
 * buffer is zeroed as soon as ssh2 has parsed it.
 *
 * Key formats (PTP.md section 7): EC2 key pairs are RSA (PEM) or ed25519
 * (OpenSSH format); both, encrypted or not, parse with ssh2 (NOTES.md).
 * @module
 */
import { Buffer } from "node:buffer";
import { utils } from "ssh2";
import type { ParsedKey } from "ssh2";
import { StepError } from "../../runner/errors.ts";
import type { StepContext } from "../../runner/types.ts";
import { expandHome } from "./key-path.ts";

export { expandHome };

/** Environment variable holding the passphrase of an encrypted private key. */
export const PASSPHRASE_ENV = "PTP_RUNNER_KEY_PASSPHRASE";

/** A parsed private key, ready for ssh2's `publickey` authentication. */
export interface LoadedKey {
  /** The key as ssh2 parsed it (holds the private key in memory; never serialise it). */
  key: ParsedKey;
  /** Absolute path it was read from (after `~` expansion). */
  path: string;
  /** Key type, e.g. `ssh-ed25519`, `ssh-rsa`. */
  type: string;
  /** True when the file was encrypted with a passphrase. */
  encrypted: boolean;
}

/** Where the key path came from, for error messages (e.g. `connect.with.private_key`). */
export interface KeySource {
  /** Name of the input that gave the path, e.g. `private_key`. */
  inputKey: string;
}

/**
 * The run's parsed private key at `path`: read, parsed (and for an encrypted
 * key, decrypted) once per run and shared by every step and target through
 * the run's service registry, so an encrypted key prompts at most once. A
 * failed load is not kept: a later call tries again.
 *
 * - Missing/unreadable file: `StepError("config")` naming the path and the input key.
 * - Mode allowing group/other access (not 0600/0400): a warning through `ctx.log`.
 * - Encrypted key: passphrase from `PTP_RUNNER_KEY_PASSPHRASE`, else (when
 *   `ctx.settings.interactive`) an `@inquirer/prompts` password prompt run
 *   through `ctx.withConsole`; the passphrase is registered as a secret.
 *   No passphrase or a wrong one: `StepError("config")`.
 * The file's bytes are zeroed before returning (or throwing).
 */
export function loadPrivateKey(
  ctx: StepContext,
  path: string,
  source: KeySource,
): Promise<LoadedKey> {
  const absolute = expandHome(path);
  return ctx.services.get(
    `ssh:private-key:${absolute}`,
    () => readPrivateKey(ctx, path, absolute, source),
  );
}

/** Reads and parses the key file (see {@link loadPrivateKey}). */
async function readPrivateKey(
  ctx: StepContext,
  path: string,
  absolute: string,
  source: KeySource,
): Promise<LoadedKey> {
  const where = `${source.inputKey} "${path}"${absolute === path ? "" : ` (${absolute})`}`;
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(absolute);
    if (!info.isFile) {
      throw new StepError("config", `private key ${where} is not a file`);
    }
    if (info.mode !== null && (info.mode & 0o077) !== 0) {
      ctx.log.warn(
        `private key ${absolute} is accessible by group/others (mode ${
          (info.mode & 0o777).toString(8).padStart(4, "0")
        }); ssh would refuse it: run chmod 600 ${absolute}`,
      );
    }
    bytes = await Deno.readFile(absolute);
  } catch (error) {
    if (error instanceof StepError) throw error;
    const reason = error instanceof Deno.errors.NotFound
      ? "does not exist"
      : error instanceof Deno.errors.PermissionDenied
      ? "is not readable (permission denied)"
      : `cannot be read (${(error as Error).message})`;
    throw new StepError(
      "config",
      `private key ${where} ${reason}: set ${source.inputKey} to the path of the key pair's private key file`,
      { cause: error },
    );
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    let parsed = utils.parseKey(buffer);
    let encrypted = false;
    if (parsed instanceof Error && isEncryptedKeyError(parsed)) {
      encrypted = true;
      const passphrase = await passphraseFor(ctx, absolute, where);
      parsed = utils.parseKey(buffer, passphrase);
      if (parsed instanceof Error) {
        throw new StepError(
          "config",
          `private key ${where}: cannot decrypt it with the given passphrase (check ${PASSPHRASE_ENV})`,
        );
      }
    }
    if (parsed instanceof Error) {
      throw new StepError(
        "config",
        `private key ${where} is not a usable private key (${parsed.message}); expected an RSA or ed25519 key in PEM or OpenSSH format`,
      );
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key.isPrivateKey()) {
      throw new StepError(
        "config",
        `${where} holds a public key; ${source.inputKey} must name the private key file`,
      );
    }
    return { key, path: absolute, type: key.type, encrypted };
  } finally {
    bytes.fill(0);
  }
}

function isEncryptedKeyError(error: Error): boolean {
  return /encrypted/i.test(error.message) && /passphrase/i.test(error.message);
}

async function passphraseFor(ctx: StepContext, path: string, where: string): Promise<string> {
  const fromEnv = Deno.env.get(PASSPHRASE_ENV);
  if (fromEnv) {
    ctx.addSecret(fromEnv);
    return fromEnv;
  }
  if (!ctx.settings.interactive) {
    throw new StepError(
      "config",
      `private key ${where} is encrypted: set ${PASSPHRASE_ENV} to its passphrase (no prompt in a non-interactive run)`,
    );
  }
  const { password } = await import("@inquirer/prompts");
  const answer = await ctx.withConsole(() =>
    password({ message: `Passphrase for ${path}:`, mask: "*" })
  );
  if (answer) ctx.addSecret(answer);
  return answer;
}
