/**
 * The AWS account and region a run launched in, recorded by the launch step so
 * that `cleanup --run` can refuse to work on another account (where EC2 would
 * answer `InvalidInstanceID.NotFound` for instances that may still run).
 * Light: no AWS SDK.
 * @module
 */
import type { JournalApi, ResourceRecord } from "../../../runner/types.ts";

/**
 * Journal key (`journal.put`) under which the launch step stores the
 * {@link RunAccount} it works in, from STS `GetCallerIdentity`, before it
 * creates anything. Also copied into each resource's `detail` (`account`, `region`).
 */
export const RUN_ACCOUNT_JOURNAL_KEY = "aws-account";

/** Where a run's resources live. */
export interface RunAccount {
  /** 12-digit AWS account id from STS `GetCallerIdentity`. */
  account: string;
  /** Region the launch worked in, e.g. `us-east-1`. */
  region: string;
}

function isRunAccount(value: unknown): value is RunAccount {
  const v = value as Partial<RunAccount> | undefined;
  return typeof v?.account === "string" && typeof v.region === "string";
}

/**
 * The account a run recorded: the journal value under
 * {@link RUN_ACCOUNT_JOURNAL_KEY}, else the `detail.account`/`detail.region`
 * of its first resource that has them.
 * @param values the journal's `values` (`JournalData.values`).
 * @returns undefined for a journal written before accounts were recorded.
 */
export function recordedRunAccount(
  values: Readonly<Record<string, unknown>>,
  resources: readonly ResourceRecord[],
): RunAccount | undefined {
  const stored = values[RUN_ACCOUNT_JOURNAL_KEY];
  if (isRunAccount(stored)) return { account: stored.account, region: stored.region };
  for (const r of resources) {
    const account = r.detail?.account;
    if (typeof account === "string") {
      const region = typeof r.detail?.region === "string" ? r.detail.region : r.region ?? "";
      return { account, region };
    }
  }
  return undefined;
}

/** The account the running step's journal recorded (see {@link recordedRunAccount}). */
export function journalRunAccount(journal: Pick<JournalApi, "get">): RunAccount | undefined {
  return recordedRunAccount(
    { [RUN_ACCOUNT_JOURNAL_KEY]: journal.get(RUN_ACCOUNT_JOURNAL_KEY) },
    [],
  );
}
