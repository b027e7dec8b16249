/**
 * The launch step's parsed input, as the implementation receives it (after the
 * zod schema in `steps/launch.ts` applied defaults and parsed `type[:count]`).
 * Light: types only.
 * @module
 */
import type { InstanceRequest } from "./instance-request.ts";

/** Parsed `with:` of the launch step. */
export interface LaunchInput {
  /** Requested instance types and counts (merged, in input order). */
  instance_types: InstanceRequest[];
  subnet_id: string;
  key_name: string;
  /** Path of the private key file, for the fingerprint check. */
  private_key?: string;
  security_group_ids: string[];
  /** Existing placement group name or `pg-` id. */
  placement_group?: string;
  /** Create a temporary `precision-time` group that cleanup deletes. */
  create_placement_group: boolean;
  ami_id?: string;
  region?: string;
  /** Launch types whose PhcSupport is `unsupported` anyway. */
  allow_unsupported: boolean;
  /** Upper bound of the wait for `running`, seconds. */
  wait_timeout: number;
  /** Prefix of the `Name` tag: `<prefix>-<type>-<n>`. */
  name_prefix: string;
}

/** One launched instance in the launch step's output. */
export interface LaunchedInstanceOutput {
  instance_id: string;
  instance_type: string;
  target_id: string;
  /** EC2 state when the step finished (`running`, or `pending` after a wait timeout). */
  state: string;
}

/** The launch step's output (`steps.<id>.outputs`). */
export interface LaunchOutput {
  instances: LaunchedInstanceOutput[];
  /** Types not launched because their PhcSupport is `unsupported`. */
  skipped: { instance_type: string; count: number; reason: string }[];
  /** Types whose RunInstances failed (capacity, quota, ...). */
  failed: { instance_type: string; count: number; error: string }[];
  /** What was (or, in a dry run, would be) launched. */
  plan: {
    instance_type: string;
    count: number;
    architecture: string;
    image_id: string;
    phc_support: string;
  }[];
  region: string;
  /** Placement group name used, or null. */
  placement_group: string | null;
  /** True when this run created the placement group (cleanup deletes it). */
  created_placement_group: boolean;
  dry_run: boolean;
}
