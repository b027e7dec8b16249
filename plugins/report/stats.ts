/**
 * Summary statistics of the report: min / median / max.
 * @module
 */
import type { Stats } from "./model.ts";

/**
 * min, median (mean of the two middle values for an even count) and max of
 * `values`, in their unit; null for an empty list.
 */
export function summarize(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { count: sorted.length, min: sorted[0], median, max: sorted[sorted.length - 1] };
}
