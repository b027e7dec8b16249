/**
 * Parsing of the launch step's `instance_types` input: `type[:count]` entries
 * given as a YAML list or as one comma-separated string (`--set
 * instance_types=c7i.large:2,m7i.xlarge`). Pure and light (no AWS SDK), so the
 * step's zod schema can use it and the loader reports bad entries with their
 * file:line.
 * @module
 */

/** One requested instance type and how many instances of it to launch. */
export interface InstanceRequest {
  /** EC2 instance type name, e.g. `c7i.large`. */
  instanceType: string;
  /** Number of instances, a positive integer (1 when the entry has no `:count`). */
  count: number;
}

/** A problem with one `instance_types` entry. */
export interface InstanceRequestIssue {
  /** 0-based index of the entry in the list (or in the comma-separated string). */
  index: number;
  /** The entry as written. */
  entry: string;
  /** What is wrong and what would be right. */
  message: string;
}

/**
 * Shape of an EC2 instance type name: family (letters, digits, dashes) `.` size,
 * e.g. `c7i.large`, `m7i.48xlarge`, `u-6tb1.metal`, `c7gn.metal-48xl`.
 */
const INSTANCE_TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

/** Splits the raw input (list or comma-separated string) into trimmed entries. */
export function splitInstanceTypeEntries(raw: string | readonly string[]): string[] {
  const list = typeof raw === "string" ? raw.split(",") : [...raw];
  return list.map((entry) => entry.trim());
}

/**
 * Parses `type[:count]` entries.
 *
 * @param raw a list of entries or one comma-separated string.
 * @returns the requests in input order (the same type twice is merged, counts
 *   added) and every issue found (empty when all entries are valid).
 *   Issues: empty entry, malformed type name, count not a positive integer.
 */
export function parseInstanceRequests(
  raw: string | readonly string[],
): { requests: InstanceRequest[]; issues: InstanceRequestIssue[] } {
  const entries = splitInstanceTypeEntries(raw);
  const issues: InstanceRequestIssue[] = [];
  const byType = new Map<string, InstanceRequest>();
  entries.forEach((entry, index) => {
    if (entry === "") {
      issues.push({
        index,
        entry,
        message: "empty entry; expected `type[:count]`, e.g. c7i.large:2",
      });
      return;
    }
    const colon = entry.indexOf(":");
    const instanceType = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    const countText = colon < 0 ? undefined : entry.slice(colon + 1).trim();
    if (!INSTANCE_TYPE_NAME.test(instanceType)) {
      issues.push({
        index,
        entry,
        message:
          `"${instanceType}" is not an instance type name; expected family.size, e.g. c7i.large`,
      });
      return;
    }
    let count = 1;
    if (countText !== undefined) {
      if (
        !/^\d+$/.test(countText) || !Number.isSafeInteger(Number(countText)) ||
        Number(countText) < 1
      ) {
        issues.push({
          index,
          entry,
          message:
            `count "${countText}" in "${entry}" must be a positive integer (e.g. ${instanceType}:2)`,
        });
        return;
      }
      count = Number(countText);
    }
    const existing = byType.get(instanceType);
    if (existing && !Number.isSafeInteger(existing.count + count)) {
      issues.push({ index, entry, message: `the counts of ${instanceType} add up to too many` });
      return;
    }
    if (existing) existing.count += count;
    else byType.set(instanceType, { instanceType, count });
  });
  if (entries.length === 0 || (entries.length === 1 && entries[0] === "" && issues.length === 1)) {
    return {
      requests: [],
      issues: [{ index: 0, entry: "", message: "no instance types given; e.g. [c7i.large:2]" }],
    };
  }
  return { requests: [...byType.values()], issues };
}

/** Default of `--max-instances`: most instances launched per instance type. */
export const DEFAULT_MAX_INSTANCES_PER_TYPE = 50;

/**
 * Requests over the per-type limit, as one message each naming the flag that
 * raises it; empty when all fit.
 */
export function countsOverLimit(
  requests: readonly InstanceRequest[],
  limit: number = DEFAULT_MAX_INSTANCES_PER_TYPE,
): string[] {
  return requests.filter((r) => r.count > limit).map((r) =>
    `instance_types: ${r.instanceType}:${r.count} asks for more than ${limit} instances of one ` +
    `type; pass --max-instances ${r.count} to allow it`
  );
}

/** Total number of instances requested. */
export function totalInstances(requests: readonly InstanceRequest[]): number {
  return requests.reduce((sum, r) => sum + r.count, 0);
}
