/**
 * Preflight check that the key pair exists and that the local private key file
 * belongs to it (fingerprint comparison; see key-fingerprint.ts for how EC2
 * computes fingerprints). Source: EC2 API Reference "DescribeKeyPairs".
 * @module
 */
import { DescribeKeyPairsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { StepError } from "../../../runner/errors.ts";
import { isAbort, isNotFoundOrInvalid, toStepError } from "../shared/aws-errors.ts";
import type { StepContext } from "../../../runner/types.ts";
import { type LoadedKey, loadPrivateKey, PASSPHRASE_ENV } from "../../ssh/private-key.ts";
import {
  describeFingerprintMismatch,
  fingerprintMatches,
  fingerprintsOfParsedKey,
} from "./key-fingerprint.ts";

/** The key pair as EC2 knows it. */
export interface KeyPairCheck {
  keyName: string;
  /** `rsa` or `ed25519`. */
  keyType?: string;
  /** `KeyFingerprint` from EC2. */
  fingerprint?: string;
  /** True when the private key file was compared and matches. */
  verified: boolean;
  /** Why the file was not compared (no file given, no fingerprint from EC2). */
  warning?: string;
}

/**
 * Checks that `keyName` exists and, when `privateKeyPath` is given, that the
 * file's fingerprint matches. The file is loaded with the SSH plugin's
 * `loadPrivateKey`: a group/other-readable file is warned about through
 * `ctx.log`, an encrypted one is decrypted with `PTP_RUNNER_KEY_PASSPHRASE`
 * (or a prompt when interactive).
 * @throws StepError `config` when the key pair does not exist, the file cannot be
 *   read, it is encrypted and no passphrase (or a wrong one) is given (the
 *   message says how to give it), or the fingerprints differ (the message
 *   names both in EC2's form and the algorithm).
 */
export async function checkKeyPair(
  ctx: StepContext,
  ec2: EC2Client,
  keyName: string,
  privateKeyPath: string | undefined,
  region: string,
  signal: AbortSignal,
): Promise<KeyPairCheck> {
  let info;
  try {
    const out = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [keyName] }), {
      abortSignal: signal,
    });
    info = out.KeyPairs?.[0];
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (!isNotFoundOrInvalid(error)) {
      throw toStepError(error, `describe key pair ${keyName}`, "ec2:DescribeKeyPairs");
    }
  }
  if (!info) {
    throw new StepError(
      "config",
      `key_name: key pair "${keyName}" does not exist in ${region}; list them with ` +
        `\`aws ec2 describe-key-pairs --region ${region}\``,
    );
  }
  const check: KeyPairCheck = {
    keyName,
    keyType: info.KeyType,
    fingerprint: info.KeyFingerprint,
    verified: false,
  };
  if (!privateKeyPath) {
    check.warning = "private_key not given: the key pair's fingerprint was not checked";
    return check;
  }
  // The SSH plugin's loader: `~`, a warning for a group/other-readable file,
  // and the passphrase of an encrypted key (PTP_RUNNER_KEY_PASSPHRASE or a prompt).
  let loaded: LoadedKey;
  try {
    loaded = await loadPrivateKey(ctx, privateKeyPath, { inputKey: "private_key" });
  } catch (error) {
    if (error instanceof StepError && /cannot decrypt|is encrypted/.test(error.message)) {
      const how = /cannot decrypt/.test(error.message)
        ? `; set ${PASSPHRASE_ENV} to the key's passphrase (or leave it unset in a terminal to ` +
          "be asked)"
        : "";
      throw new StepError("config", `${error.message}${how}; nothing was launched`, {
        cause: error,
      });
    }
    throw error;
  }
  let local;
  try {
    local = fingerprintsOfParsedKey(loaded.key);
  } catch (error) {
    throw new StepError(
      "config",
      `private_key: ${privateKeyPath} is not a usable private key (${
        (error as Error).message
      }); EC2 key pairs are RSA (PEM) or ed25519 (OpenSSH format)`,
      { cause: error },
    );
  }
  if (!info.KeyFingerprint) {
    check.warning = `key pair ${keyName} has no fingerprint in DescribeKeyPairs: not checked`;
    return check;
  }
  if (!fingerprintMatches(info.KeyFingerprint, local)) {
    throw new StepError(
      "config",
      `private_key ${privateKeyPath} does not belong to key pair "${keyName}": ${
        describeFingerprintMismatch(info.KeyFingerprint, local, info.KeyType)
      }`,
    );
  }
  check.verified = true;
  return check;
}
