/**
 * `MaxResults` / `NextToken` pagination of EC2 `Describe*` calls. Tokens are
 * opaque to clients (here: base64 of the next offset and the action).
 * @module
 */
import { AwsApiError, invalidParameterValue } from "../errors.ts";
import { type QueryNode, str } from "../query.ts";

/** Page size limits of one action. */
export interface PageLimits {
  /** Items per page when `MaxResults` is not given (`Infinity` = all). */
  defaultSize: number;
  /** Smallest and largest `MaxResults` accepted. */
  min: number;
  max: number;
}

/**
 * One page of `items` and the token of the next (undefined on the last page).
 * @throws AwsApiError `InvalidParameterValue` for `MaxResults` out of range,
 *   `InvalidPaginationToken` for a token this action did not issue.
 */
export function paginate<T>(
  items: readonly T[],
  params: Record<string, QueryNode>,
  action: string,
  limits: PageLimits,
): { page: T[]; nextToken?: string } {
  const maxText = str(params, "MaxResults");
  let size = limits.defaultSize;
  if (maxText !== undefined) {
    const max = Number(maxText);
    if (!Number.isInteger(max) || max < limits.min || max > limits.max) {
      throw invalidParameterValue(
        `Value ( ${maxText} ) for parameter maxResults is invalid. Parameter must be between ${limits.min} and ${limits.max}.`,
      );
    }
    size = max;
  }
  const token = str(params, "NextToken");
  let offset = 0;
  if (token !== undefined && token !== "") {
    const decoded = decodeToken(token, action);
    if (decoded === undefined || decoded > items.length) {
      throw new AwsApiError(
        "InvalidPaginationToken",
        "The specified pagination token is not valid or is expired.",
      );
    }
    offset = decoded;
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return { page, nextToken: next < items.length ? encodeToken(next, action) : undefined };
}

function encodeToken(offset: number, action: string): string {
  return btoa(JSON.stringify({ o: offset, a: action }));
}

function decodeToken(token: string, action: string): number | undefined {
  try {
    const parsed = JSON.parse(atob(token));
    return parsed.a === action && Number.isInteger(parsed.o) && parsed.o >= 0
      ? parsed.o
      : undefined;
  } catch {
    return undefined;
  }
}
