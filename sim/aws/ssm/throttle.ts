/**
 * Per-region request rate limit of the SSM endpoint: a token bucket of
 * `ssm.burst` requests refilled at `ssm.requests_per_second` per simulated
 * second (0 = no limit). A request finding the bucket empty answers
 * `ThrottlingException` (HTTP 400, message "Rate exceeded"), as SSM does when
 * an account exceeds an API's rate in a region; the AWS SDK retries it with
 * backoff. Source: AWS General Reference, "Systems Manager endpoints and
 * quotas" (API rates are per account and region).
 * @module
 */
import type { SimCore } from "../context.ts";
import { AwsApiError } from "../errors.ts";

interface Bucket {
  tokens: number;
  at: number;
}

const buckets = new WeakMap<SimCore, Map<string, Bucket>>();

/**
 * Takes one token for a request to `region` at simulated time `now`.
 * @throws AwsApiError `ThrottlingException` (HTTP 400) when none is left.
 */
export function takeRequestToken(core: SimCore, region: string, now: number): void {
  const rate = core.ssm.requests_per_second;
  if (rate <= 0) return;
  let perRegion = buckets.get(core);
  if (!perRegion) buckets.set(core, perRegion = new Map());
  const burst = core.ssm.burst;
  const bucket = perRegion.get(region) ?? { tokens: burst, at: now };
  bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * rate);
  bucket.at = now;
  perRegion.set(region, bucket);
  if (bucket.tokens < 1) throw new AwsApiError("ThrottlingException", "Rate exceeded", 400);
  bucket.tokens -= 1;
}
