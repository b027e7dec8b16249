/**
 * Private key paths as pipeline inputs: `~` expansion and a schema that
 * refuses a missing, empty, garbage, public-only or unusable encrypted key
 * file before anything runs. Light (no ssh2), so step definitions can use it;
 * once {@link loadPrivateKeyParser} ran (the CLI calls it when an input names a
 * key file), the check also parses the key: a garbage body or a wrong
 * `PTP_RUNNER_KEY_PASSPHRASE` is then refused up front too.
 * @module
 */
import { z } from "zod";
import { StepError } from "../../runner/errors.ts";

/**
 * Expands a leading `~` or `~/` to the home directory (`HOME`, else `USERPROFILE`).
 * @throws StepError kind `config` when the path starts with `~` and no home directory is set.
 */
export function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) {
    throw new StepError("config", `cannot expand "~" in ${path}: HOME is not set`);
  }
  return home + path.slice(1);
}

/** Environment variable holding the passphrase of an encrypted key (see private-key.ts). */
const PASSPHRASE_ENV = "PTP_RUNNER_KEY_PASSPHRASE";

/**
 * True when an OpenSSH-format key (`openssh-key-v1`) names a cipher other than
 * `none`. Source: OpenSSH PROTOCOL.key ("AUTH_MAGIC", then string ciphername).
 */
function opensshKeyEncrypted(text: string): boolean {
  const body = text.match(
    /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/,
  )?.[1];
  if (!body) return false;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(body.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  const magic = "openssh-key-v1\0".length;
  if (bytes.length < magic + 4) return false;
  const length = new DataView(bytes.buffer).getUint32(magic);
  const cipher = new TextDecoder().decode(bytes.subarray(magic + 4, magic + 4 + length));
  return cipher !== "none";
}

/** Parses a key's text: whether it is a public key, or the parser's error. */
type KeyParser = (text: string, passphrase?: string) => { isPublic: boolean } | Error;

let keyParser: KeyParser | undefined;

/**
 * Loads ssh2's key parser (heavy: loaded only when needed) so that
 * {@link keyContentProblem} parses keys from then on.
 */
export async function loadPrivateKeyParser(): Promise<void> {
  if (keyParser) return;
  const [{ utils }, { Buffer }] = await Promise.all([import("ssh2"), import("node:buffer")]);
  keyParser = (text, passphrase) => {
    const parsed = utils.parseKey(Buffer.from(text), passphrase);
    if (parsed instanceof Error) return parsed;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    return { isPublic: !key.isPrivateKey() };
  };
}

/** True when `value` names a readable file (`~` allowed) holding a private key block. */
export function namesPrivateKeyFile(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  try {
    const path = expandHome(value);
    const info = Deno.statSync(path);
    if (!info.isFile || info.size > 64 * 1024) return false;
    return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(Deno.readTextFileSync(path));
  } catch {
    return false;
  }
}

/** What parsing the key shows is wrong with it (needs {@link loadPrivateKeyParser}); null when fine. */
function parsedKeyProblem(parse: KeyParser, text: string, path: string): string | null {
  let parsed = parse(text);
  if (parsed instanceof Error && /encrypted/i.test(parsed.message)) {
    const passphrase = Deno.env.get(PASSPHRASE_ENV);
    // No passphrase yet: the run asks for it on the terminal.
    if (!passphrase) return null;
    parsed = parse(text, passphrase);
    if (parsed instanceof Error) {
      return `${path}: cannot decrypt it with ${PASSPHRASE_ENV} (wrong passphrase?)`;
    }
  }
  if (parsed instanceof Error) {
    return `${path} is not a usable private key (${parsed.message}); expected an RSA or ` +
      "ed25519 key in PEM or OpenSSH format";
  }
  if (parsed.isPublic) return `${path} holds a public key, not the private key`;
  return null;
}

/**
 * What is wrong with a key file's content that can be seen without parsing
 * the key: empty, a public key, not a PEM/OpenSSH private key block, or
 * encrypted while no passphrase can be had (no `PTP_RUNNER_KEY_PASSPHRASE`
 * and no terminal to ask on). Null when it looks usable. Key formats: PTP.md
 * section 7 (RSA PEM, ed25519 OpenSSH); RFC 7468 (PEM labels), RFC 1421 (`Proc-Type: 4,ENCRYPTED`).
 */
export function keyContentProblem(text: string, path: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return `${path} is empty`;
  if (
    /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+) AAAA/.test(trimmed) ||
    /-----BEGIN (RSA |SSH2 )?PUBLIC KEY-----|---- BEGIN SSH2 PUBLIC KEY ----/.test(trimmed)
  ) {
    return `${path} holds a public key, not the private key`;
  }
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(trimmed)) {
    return `${path} is not a private key file (no "-----BEGIN ... PRIVATE KEY-----" block)`;
  }
  const encrypted = /Proc-Type:\s*4,ENCRYPTED/.test(trimmed) ||
    /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(trimmed) || opensshKeyEncrypted(trimmed);
  if (encrypted && !Deno.env.get(PASSPHRASE_ENV) && !canAskPassphrase()) {
    return `${path} is encrypted and no passphrase can be asked for: set ${PASSPHRASE_ENV}`;
  }
  return keyParser ? parsedKeyProblem(keyParser, trimmed, path) : null;
}

/** A passphrase prompt is possible: stdin and stdout are terminals and `CI` is unset. */
function canAskPassphrase(): boolean {
  try {
    return Deno.stdin.isTerminal() && Deno.stdout.isTerminal() && !Deno.env.get("CI");
  } catch {
    return false;
  }
}

/** Why `path` is not a readable file, or null when it is one. */
function keyFileProblem(path: string): string | null {
  let absolute: string;
  try {
    absolute = expandHome(path);
  } catch (error) {
    return (error as Error).message;
  }
  try {
    const info = Deno.statSync(absolute);
    if (!info.isFile) return `${path} is not a file`;
    // Key files are a few KiB; a large file is not one (and is not read whole).
    if (info.size > 64 * 1024) return `${path} is not a private key file (${info.size} bytes)`;
    return keyContentProblem(Deno.readTextFileSync(absolute), path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `no such file: ${path}`;
    if (error instanceof Deno.errors.PermissionDenied) {
      return `cannot read ${path}: permission denied`;
    }
    return `cannot read ${path}: ${(error as Error).message}`;
  }
}

/**
 * Schema of a private key path input: a non-empty string naming an existing
 * file (`~` allowed). Checked when the pipeline is validated and, for values
 * from inputs, before the run starts, so a typo never gets as far as AWS.
 */
export function privateKeyPath() {
  return z.string().min(1, "is empty: give the path of the private key file").superRefine(
    (path, ctx) => {
      if (path === "") return; // said by min(1)
      const problem = keyFileProblem(path);
      if (problem) {
        ctx.addIssue({
          code: "custom",
          message: `${problem} (the private key of the EC2 key pair, e.g. ~/.ssh/my-key.pem)`,
        });
      }
    },
  );
}

/**
 * Schema of an optional private key path input: undefined or `""` (no key
 * file: the ssh-agent at `SSH_AUTH_SOCK` authenticates, see plugins/ssh/agent.ts),
 * else checked like {@link privateKeyPath}.
 */
export function optionalPrivateKeyPath() {
  return z.string().optional().superRefine((path, ctx) => {
    if (path === undefined || path === "") return;
    const problem = keyFileProblem(path);
    if (problem) {
      ctx.addIssue({
        code: "custom",
        message: `${problem} (the private key of the EC2 key pair, e.g. ~/.ssh/my-key.pem)`,
      });
    }
  });
}
