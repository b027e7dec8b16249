/**
 * OpenSSH `known_hosts` lookups, as `ssh` does them: one key per line
 * (`hosts keytype base64-key [comment]`), hosts comma-separated, `[host]:port`
 * for a port other than 22, hashed entries `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`,
 * markers `@revoked` (the key is refused) and `@cert-authority` (ignored here:
 * certificates are not used). Source: OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".
 * @module
 */
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";
import { keyTypeOf } from "./host-key.ts";

/** One key line of a known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number. */
  line: number;
  /** Host patterns as written (plain names, `[host]:port`, or one `|1|...` hash). */
  hosts: string[];
  /** Key type, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The key blob, base64 as written. */
  key: string;
  /** `@revoked` line. */
  revoked: boolean;
}

/** Parses known_hosts text; comments, blank lines, `@cert-authority` lines and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === "" || fields[0].startsWith("#")) return;
    let revoked = false;
    if (fields[0].startsWith("@")) {
      if (fields[0] !== "@revoked") return;
      revoked = true;
      fields.shift();
    }
    if (fields.length < 3) return;
    entries.push({
      line: index + 1,
      hosts: fields[0].split(","),
      keyType: fields[1],
      key: fields[2],
      revoked,
    });
  });
  return entries;
}

/** The name `ssh` looks up for `host` and `port`: `host`, or `[host]:port` when port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  if (pattern.startsWith("!")) return false;
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const regex = new RegExp(
    `^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`,
    "i",
  );
  return regex.test(name);
}

/** Entries naming `host`:`port` (negated patterns `!host` exclude a line). */
export function entriesFor(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
): KnownHostsEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) =>
    !e.hosts.some((p) => p.startsWith("!") && patternMatches(p.slice(1), name)) &&
    e.hosts.some((p) => patternMatches(p, name))
  );
}

/** What the known_hosts file says about a presented key. */
export type KnownHostsVerdict =
  | { match: "known"; line: number }
  | { match: "revoked"; line: number }
  | { match: "changed"; lines: number[] }
  | {
    match: "unknown";
    /** Lines listing the host with keys of other types only (`ssh`: "keys of different type are already known"). */
    otherTypes: { line: number; keyType: string }[];
  };

/**
 * Checks a presented key blob against the entries for `host`:`port`, as
 * `ssh` does: `known` (a line has this very key), `revoked` (an `@revoked`
 * line has it), `changed` (the host is listed with another key of the same
 * type: "REMOTE HOST IDENTIFICATION HAS CHANGED"), or `unknown` (no key of
 * this type is listed for the host; keys of other types may be).
 */
export function checkKnownHost(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  keyBlob: Uint8Array,
): KnownHostsVerdict {
  const key = Buffer.from(keyBlob).toString("base64");
  const revoked = entries.find((e) => e.revoked && e.key === key);
  if (revoked) return { match: "revoked", line: revoked.line };
  const mine = entriesFor(entries, host, port).filter((e) => !e.revoked);
  const same = mine.find((e) => e.key === key);
  if (same) return { match: "known", line: same.line };
  const keyType = keyTypeOf(keyBlob);
  const sameType = mine.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) return { match: "changed", lines: sameType.map((e) => e.line) };
  return { match: "unknown", otherTypes: mine.map((e) => ({ line: e.line, keyType: e.keyType })) };
}

/**
 * Host key algorithms to ask the server for first, so that it presents a key
 * the file lists (as `ssh` orders HostKeyAlgorithms by the known keys of the
 * host): for each key type listed for `host`:`port`, in file order, its
 * signature algorithms (an `ssh-rsa` key signs with `rsa-sha2-512`,
 * `rsa-sha2-256` or `ssh-rsa`: RFC 8332). Empty when the host is not listed.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
): string[] {
  const algorithms: string[] = [];
  for (const e of entriesFor(entries, host, port).filter((e) => !e.revoked)) {
    const forType = e.keyType === "ssh-rsa"
      ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
      : [e.keyType];
    for (const a of forType) if (!algorithms.includes(a)) algorithms.push(a);
  }
  return algorithms;
}
