/**
 * ed25519 key generation for the simulator and the tests.
 *
 * ssh2's `utils.generateKeyPairSync("ed25519")` under Deno writes a malformed
 * key about once in 600 calls (a leading zero byte of the key is dropped), so
 * a key is generated again until ssh2 itself parses both halves.
 * @module
 */
import ssh2 from "ssh2";

/** A key pair in OpenSSH format: `private` is the PEM-like block, `public` one `ssh-ed25519 ...` line. */
export interface Ed25519KeyPair {
  private: string;
  public: string;
}

/**
 * Generates an ed25519 key pair that ssh2 can parse.
 * @param options.comment comment of the public key line
 * @param options.passphrase encrypts the private key (aes256-ctr, bcrypt rounds 4)
 * @throws Error when 50 attempts in a row give unparsable keys (never seen)
 */
export function generateEd25519KeyPair(
  options: { comment?: string; passphrase?: string } = {},
): Ed25519KeyPair {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = options.passphrase
      ? ssh2.utils.generateKeyPairSync("ed25519", {
        comment: options.comment,
        passphrase: options.passphrase,
        cipher: "aes256-ctr",
        rounds: 4,
      })
      : ssh2.utils.generateKeyPairSync("ed25519", { comment: options.comment });
    const privateOk = !(ssh2.utils.parseKey(pair.private, options.passphrase) instanceof Error);
    const publicOk = !(ssh2.utils.parseKey(pair.public) instanceof Error);
    if (privateOk && publicOk) return { private: pair.private, public: pair.public };
  }
  throw new Error("ssh2 generated 50 unparsable ed25519 keys in a row");
}
