/**
 * Preflight check that the key pair exists and that the local private key file
 * belongs to it (fingerprint comparison; see key-fingerprint.ts for how EC2
 * computes fingerprints). Source: EC2 API Reference "DescribeKeyPairs".
 * @module
 */
import { DescribeKeyPairsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { StepError } from "../../runner/errors.ts";
import { isAbort, isNotFoundOrInvalid, toStepError } from "./aws-errors.ts";
import {
  describeFingerprints,
  fingerprintMatches,
  fingerprintsOfPrivateKey,
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
  /** Why the file was not compared (no file given, encrypted key). */
  warning?: string;
}

/**
 * Checks that `keyName` exists and, when `privateKeyPath` is given, that the
 * file's fingerprint matches.
 * @throws StepError `config` when the key pair does not exist, the file cannot be
 *   read, or the fingerprints differ (the message names both).
 */
export async function checkKeyPair(
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
  let text: string;
  try {
    text = await Deno.readTextFile(privateKeyPath);
  } catch (error) {
    throw new StepError(
      "config",
      `private_key: cannot read ${privateKeyPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let local;
  try {
    local = fingerprintsOfPrivateKey(text);
  } catch (error) {
    const message = (error as Error).message;
    if (/encrypted|passphrase/i.test(message)) {
      check.warning = `private_key ${privateKeyPath} is encrypted: fingerprint not checked`;
      return check;
    }
    throw new StepError(
      "config",
      `private_key: ${privateKeyPath} is not a usable private key (${message}); EC2 key ` +
        "pairs are RSA (PEM) or ed25519 (OpenSSH format)",
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
      `private_key ${privateKeyPath} does not belong to key pair "${keyName}": EC2 has ` +
        `fingerprint ${info.KeyFingerprint}, the file gives ${describeFingerprints(local)}`,
    );
  }
  check.verified = true;
  return check;
}
