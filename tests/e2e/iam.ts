/**
 * Reads `docs/iam-policy.json` and tells whether an IAM action (`ec2:RunInstances`)
 * is allowed by one of its `Allow` statements. Action patterns may use IAM's
 * wildcards (`*` any run of characters, `?` one character), matched
 * case-insensitively as IAM does (AWS IAM User Guide, "IAM JSON policy
 * elements: Action").
 * @module
 */
import { join } from "node:path";
import type { RecordedRequest } from "../../sim/types.ts";
import { ROOT } from "./helpers.ts";

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** Parses `docs/iam-policy.json` of the repository. */
export async function readIamPolicy(): Promise<PolicyDocument> {
  return JSON.parse(await Deno.readTextFile(join(ROOT, "docs/iam-policy.json")));
}

/** True when `value` matches the IAM pattern (`*`, `?` wildcards; case-insensitive). */
export function matchesIamPattern(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${source}$`, "i").test(value);
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The `Allow` statements whose `Action` matches `action` (`service:Action`). */
export function statementsAllowing(policy: PolicyDocument, action: string): PolicyStatement[] {
  return policy.Statement.filter((s) =>
    s.Effect === "Allow" && list(s.Action).some((p) => matchesIamPattern(p, action))
  );
}

/** True when a `Deny` statement names `action` (the e2e tests expect none to hit). */
export function isDenied(policy: PolicyDocument, action: string): boolean {
  return policy.Statement.some((s) =>
    s.Effect === "Deny" && list(s.Action).some((p) => matchesIamPattern(p, action))
  );
}

/** The IAM action of a request the simulator recorded, e.g. `ec2:DescribeInstances`. */
export function iamActionOf(request: RecordedRequest): string {
  return `${request.service}:${request.action}`;
}

/** Resource patterns of the statements that allow `action`. */
export function allowedResources(policy: PolicyDocument, action: string): string[] {
  return statementsAllowing(policy, action).flatMap((s) => list(s.Resource));
}
