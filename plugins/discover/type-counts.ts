/**
 * The `type:count` list format of `discover --output types`, which the launch
 * step's `instance_types` input parses (`plugins/aws/instance-request.ts`):
 * `c7i.large:1,m7i.xlarge:2`. Light.
 * @module
 */

/** `type:count` entries for `types`, each with the same `count` (a positive integer). */
export function toTypeCounts(types: readonly string[], count = 1): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${count}`);
  }
  return types.map((t) => `${t}:${count}`);
}
