/**
 * DescribeKeyPairs over the simulated region's key pairs (the pre-created
 * ed25519 key pair `ptp-runner-sim`). Fingerprints as EC2 reports them
 * (`sim/state/key-pair.ts`).
 * @module
 */
import type { SimKeyPair } from "../../state/account.ts";
import { checkDryRun, type Ec2Handler } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { bool, strings } from "../query.ts";
import { applyFilters } from "./filters.ts";
import { tagSet } from "./tags.ts";

/**
 * DescribeKeyPairs: `KeyName.N`, `KeyPairId.N`, filters `key-name`,
 * `key-pair-id`, `fingerprint`, `key-type`, tags; `IncludePublicKey=true` adds `publicKey`.
 * @throws AwsApiError `InvalidKeyPair.NotFound` naming the first unknown key.
 */
export const describeKeyPairs: Ec2Handler = (call) => {
  const names = strings(call.params, "KeyName");
  const ids = strings(call.params, "KeyPairId");
  const selected: SimKeyPair[] = [];
  for (const name of names) {
    const key = call.state.keyPairs.get(name);
    if (!key) {
      throw new AwsApiError("InvalidKeyPair.NotFound", `The key pair '${name}' does not exist`);
    }
    selected.push(key);
  }
  for (const id of ids) {
    const key = call.state.keyPairById(id);
    if (!key) {
      throw new AwsApiError("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`);
    }
    selected.push(key);
  }
  const keys = applyFilters(
    names.length || ids.length ? selected : [...call.state.keyPairs.values()],
    call.params,
    {
      "key-name": (k) => [k.keyName],
      "key-pair-id": (k) => [k.keyPairId],
      "fingerprint": (k) => [k.fingerprint],
      "key-type": (k) => [k.keyType],
    },
    (k) => k.tags,
  );
  checkDryRun(call);
  const includePublicKey = bool(call.params, "IncludePublicKey");
  return {
    keySet: keys.map((k) => ({
      keyPairId: k.keyPairId,
      keyType: k.keyType,
      tagSet: tagSet(k.tags),
      publicKey: includePublicKey ? `${k.publicKey}\n` : undefined,
      createTime: k.createTime,
      keyName: k.keyName,
      keyFingerprint: k.fingerprint,
    })),
  };
};
