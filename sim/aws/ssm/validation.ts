/**
 * Request checks of the SSM JSON API in AWS's words: a field that breaks its
 * model constraint answers `ValidationException` ("1 validation error
 * detected: Value ... at '<field>' failed to satisfy constraint: ..."), the
 * field named in lower camel case as AWS does.
 * @module
 */
import { AwsApiError } from "../errors.ts";

/** A `ValidationException` for one field (`field` in the API's lower camel case). */
export function validationError(field: string, value: unknown, constraint: string): AwsApiError {
  const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
  return new AwsApiError(
    "ValidationException",
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A required string member: returns it, or throws `ValidationException`. */
export function requiredString(body: Record<string, unknown>, member: string): string {
  const value = body[member];
  if (typeof value !== "string") {
    throw validationError(lowerCamel(member), value, "Member must not be null");
  }
  return value;
}

/** An optional string member (undefined when absent). @throws ValidationException for a non-string. */
export function optionalString(body: Record<string, unknown>, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw validationError(lowerCamel(member), value, "Member must be a string");
  }
  return value;
}

/** An optional string list member ([] when absent). @throws ValidationException otherwise. */
export function stringList(body: Record<string, unknown>, member: string): string[] {
  const value = body[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw validationError(lowerCamel(member), value, "Member must be a list of strings");
  }
  return value as string[];
}

/**
 * An optional integer member within `[min, max]` (undefined when absent).
 * @throws ValidationException naming the bound it breaks.
 */
export function optionalInt(
  body: Record<string, unknown>,
  member: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  const field = lowerCamel(member);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw validationError(field, value, "Member must be an integer");
  }
  if (value < min) {
    throw validationError(field, value, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max) {
    throw validationError(field, value, `Member must have value less than or equal to ${max}`);
  }
  return value;
}

/** `CommandId` -> `commandId`, as AWS names fields in validation messages. */
export function lowerCamel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** A CommandId is a UUID (36 characters). @throws ValidationException otherwise. */
export function commandIdOf(body: Record<string, unknown>): string {
  const id = requiredString(body, "CommandId");
  if (id.length !== 36) {
    throw validationError(
      "commandId",
      id,
      `Member must have length ${
        id.length < 36 ? "greater than or equal to" : "less than or equal to"
      } 36`,
    );
  }
  return id;
}
