/**
 * The `launch` step (pipeline scope): checks everything first (credentials,
 * region, instance types with PhcSupport, subnet, security groups, key pair
 * fingerprint, placement group, AL2023 AMIs), then launches EC2 instances (or,
 * with `--dry-run`, only proves it could) and adds one target per instance.
 * The AWS SDK is loaded only inside `run` (plugins/aws/launch/launch-instances.ts).
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import {
  countsOverLimit,
  parseInstanceRequests,
  totalInstances,
} from "../plugins/aws/launch/instance-request.ts";
import type { KnownStepWith, PreRunContext, PreRunProblem } from "../plugins/api.ts";
import { REGION_NAME } from "../plugins/aws/shared/region-name.ts";
import {
  CONFIRM_ABOVE_INSTANCES,
  CONFIRM_ABOVE_TYPES,
  confirmationDecision,
} from "../plugins/aws/launch/launch-confirm.ts";
import { privateKeyPath } from "../plugins/ssh/key-path.ts";
import { LAUNCH_ABORT_GRACE_SECONDS } from "../plugins/aws/launch/abort-timing.ts";
import { InstanceProfileSchema } from "../plugins/aws/launch/instance-profile-name.ts";

/** A list of strings, also accepted as one comma-separated string (from `--set`). */
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (typeof v === "string" ? v.split(",") : v).map((s) => s.trim()).filter((s) => s !== "")
);

/** An optional string where `""` (a pipeline input's empty default) means absent. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());
}

/**
 * `instance_types`: `type[:count]` entries as a list or a comma-separated string.
 * Each bad entry is reported at its index with what would be right.
 */
export const InstanceTypesSchema = z.union([z.string(), z.array(z.string())]).transform(
  (raw, ctx) => {
    const { requests, issues } = parseInstanceRequests(raw);
    for (const issue of issues) {
      ctx.addIssue({
        code: "custom",
        message: `instance_types entry "${issue.entry}": ${issue.message}`,
        path: typeof raw === "string" ? [] : [issue.index],
      });
    }
    return issues.length > 0 ? z.NEVER : requests;
  },
);

/**
 * EC2 resource id shapes: prefix, `-`, 8 or 17 characters (EC2 uses lower-case
 * hex digits; letters and digits are accepted so ids of look-alike endpoints
 * pass). Source: EC2 User Guide "Resource IDs" (longer IDs since 2018: 17 characters).
 */
const resourceId = (prefix: string, example: string) =>
  z.string().regex(
    new RegExp(`^${prefix}-([0-9a-z]{8}|[0-9a-z]{17})$`),
    `expected a ${prefix}- id of 8 or 17 lower-case hex digits, e.g. ${example}`,
  );

/** Input schema of the launch step (`with:`). */
export const LaunchInputSchema = z.object({
  /** Requested instance types and counts (merged, in input order). */
  instance_types: InstanceTypesSchema,
  subnet_id: z.string().min(1, "subnet_id is required, e.g. subnet-0123456789abcdef0").pipe(
    resourceId("subnet", "subnet-0123456789abcdef0"),
  ),
  /** How the host steps reach the instances: `ssh` needs a key pair, `ssm` an instance profile. */
  transport: z.enum(["ssh", "ssm"]).default("ssh").describe(
    "ssh: instances get the key pair and are reached over SSH; ssm: over SSM Run Command " +
      "(no key pair, inbound rule or public IP needed; give iam_instance_profile).",
  ),
  /** EC2 key pair; required with transport ssh. */
  key_name: optional(z.string()).describe("EC2 key pair name (required with transport ssh)."),
  /** Instance profile (name or ARN) the instances get, e.g. with AmazonSSMManagedInstanceCore. */
  iam_instance_profile: optional(InstanceProfileSchema).describe(
    "Instance profile name or ARN attached to the instances (RunInstances IamInstanceProfile); " +
      "with transport ssm its role needs AmazonSSMManagedInstanceCore.",
  ),
  /** Path of the private key file, for the fingerprint check. */
  private_key: optional(privateKeyPath()),
  security_group_ids: stringList.pipe(z.array(resourceId("sg", "sg-0123456789abcdef0")))
    .default([]),
  /** Existing placement group name or `pg-` id. */
  placement_group: optional(z.string()),
  /** Create a temporary `precision-time` group that cleanup deletes. */
  create_placement_group: z.boolean().default(false),
  ami_id: optional(resourceId("ami", "ami-0123456789abcdef0")),
  region: optional(z.string().regex(REGION_NAME, 'expected a region, e.g. "us-east-1"')),
  /** Launch types whose PhcSupport is `unsupported` anyway. */
  allow_unsupported: z.boolean().default(false),
  /** Upper bound of the wait for `running`. */
  wait_timeout: durationSeconds(600, { positive: true }).describe(
    "Upper bound of the wait for the instances to run.",
  ),
  /** Prefix of the `Name` tag: `<prefix>-<type>-<n>`. */
  name_prefix: z.string().regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "name_prefix: letters, digits, '.', '_' and '-'",
  ).default("ptp-runner"),
}).strict().superRefine((input, ctx) => {
  if (input.transport === "ssh" && input.key_name === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["key_name"],
      message: "key_name is required: the EC2 key pair name (or use transport ssm)",
    });
  }
  if (input.placement_group !== undefined && input.create_placement_group) {
    ctx.addIssue({
      code: "custom",
      path: ["create_placement_group"],
      message: `create_placement_group creates a new group; it cannot be combined with ` +
        `placement_group "${input.placement_group}" (set one of them)`,
    });
  }
});

/** Output schema of the launch step. */
export const LaunchOutputSchema = z.object({
  instances: z.array(z.object({
    instance_id: z.string(),
    instance_type: z.string(),
    target_id: z.string(),
    /** EC2 state when the step finished (`running`, or `pending` after a wait timeout). */
    state: z.string(),
  })),
  /** Types not launched because their PhcSupport is `unsupported`. */
  skipped: z.array(z.object({ instance_type: z.string(), count: z.number(), reason: z.string() })),
  /** Types whose RunInstances failed (capacity, quota, ...). */
  failed: z.array(z.object({ instance_type: z.string(), count: z.number(), error: z.string() })),
  /** What was (or, in a dry run, would be) launched. */
  plan: z.array(z.object({
    instance_type: z.string(),
    count: z.number(),
    architecture: z.string(),
    image_id: z.string(),
    /** SSH login user of the image (its default user; `ec2-user` when not known). */
    login_user: z.string(),
    phc_support: z.string(),
  })),
  region: z.string(),
  /** Placement group name used, or null. */
  placement_group: z.string().nullable(),
  /** Instance profile attached to the instances, or null. */
  iam_instance_profile: z.string().nullable(),
  transport: z.enum(["ssh", "ssm"]),
  /** True when this run created the placement group (cleanup deletes it). */
  created_placement_group: z.boolean(),
  dry_run: z.boolean(),
});

/** Parsed `with:` of the launch step. */
export type LaunchInput = z.output<typeof LaunchInputSchema>;
/** The launch step's output (`steps.<id>.outputs`). */
export type LaunchOutput = z.input<typeof LaunchOutputSchema>;

/**
 * Problems of the launch's `instance_types` known before the run (see
 * `checkBeforeRun` in runner/types.ts): a count over `--max-instances`, and a
 * launch that needs confirmation (more than 3 types or 5 instances requested)
 * in a session without a terminal and without `--yes` (not with `--dry-run`,
 * which launches nothing). The run itself checks both again when the types
 * come from a step's outputs.
 */
export function launchProblemsBeforeRun(
  own: KnownStepWith,
  context: PreRunContext,
): PreRunProblem[] {
  const { settings } = context;
  // Under `validate` there are no flags: the run checks them.
  if (!settings) return [];
  const raw = own.values.instance_types;
  if (typeof raw !== "string" && !Array.isArray(raw)) return [];
  const { requests, issues } = parseInstanceRequests(raw as string | string[]);
  // Bad entries are the input schema's to report.
  if (issues.length > 0) return [];
  const problems = countsOverLimit(requests, settings.maxInstancesPerType).map((message) => ({
    key: "instance_types",
    message: message.replace(/^instance_types: /, ""),
  }));
  const instances = totalInstances(requests);
  if (
    !settings.dryRun &&
    confirmationDecision(settings, requests.length, instances) === "refuse"
  ) {
    problems.push({
      key: "instance_types",
      message: `launching ${instances} instance(s) of ${requests.length} type(s) needs ` +
        `confirmation (more than ${CONFIRM_ABOVE_TYPES} types or ${CONFIRM_ABOVE_INSTANCES} ` +
        "instances) and this session is not interactive: pass --yes to launch",
    });
  }
  const from = own.from.instance_types;
  return from === undefined
    ? problems
    : problems.map((p) => ({ ...p, message: `${p.message} — the value comes from ${from}` }));
}

/** The launch step plugin. */
export default defineStep({
  type: "launch",
  description:
    "Launch EC2 instances per type (preflight, dry run, confirmation) and add one target each",
  scope: "pipeline",
  input: LaunchInputSchema,
  output: LaunchOutputSchema,
  reads: [
    "settings.dryRun",
    "settings.yes",
    "settings.interactive",
    "settings.region",
    "settings.profile",
    "settings.aws",
    "settings.maxInstancesPerType",
  ],
  writes: [
    "targets",
    "facts.phcSupport",
    "facts.launchState",
    "facts.loginUser",
    "journal.resources",
    "journal.aws-account",
  ],
  // On abort the launch looks for instances of in-flight requests and terminates them.
  abortGraceSeconds: LAUNCH_ABORT_GRACE_SECONDS,
  checkBeforeRun: launchProblemsBeforeRun,
  async run(ctx, input, signal) {
    const { launchInstances } = await import("../plugins/aws/launch/launch-instances.ts");
    const output = await launchInstances(ctx, input, signal);
    // Each launched instance is released as soon as its target's verdict is final.
    const { armReleaseAtVerdict } = await import("../plugins/aws/release/release-at-verdict.ts");
    await armReleaseAtVerdict(ctx);
    return output;
  },
});
