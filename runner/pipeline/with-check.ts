/**
 * Validates a step's `with:` mapping against its plugin's input schema
 * before the run. Values holding `${{ }}` are only known at run time, so
 * type problems at (or under) them are skipped; their references are checked
 * by `references.ts`.
 * @module
 */
import { containsExpression } from "../expression.ts";
import { nearestName } from "../registry.ts";
import type { StepPlugin } from "../types.ts";
import { type PathIssue, zodIssues } from "./zod-issues.ts";

/** Whether the value at `path` inside `root` holds an expression (itself, inside, or above). */
function dependsOnExpression(root: unknown, path: readonly (string | number)[]): boolean {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current === "string") return current.includes("${{");
    if (current === null || typeof current !== "object") return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return containsExpression(current);
}

/** Keys of a zod object schema that silently drops unknown keys (`z.object`), else undefined. */
function strippedObjectKeys(plugin: StepPlugin): string[] | undefined {
  const def = (plugin.input as unknown as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def || def.type !== "object" || def.catchall !== undefined) return undefined;
  return Object.keys(def.shape as Record<string, unknown>);
}

/**
 * Problems of `with:` for `plugin`, paths relative to the `with:` mapping.
 * Unknown keys are errors when the schema is a strict object, and also for a
 * plain `z.object` (which would silently drop them); a loose object accepts them.
 * @param plugin the step's plugin
 * @param value the raw `with:` mapping (`{}` when absent)
 */
export function withProblems(plugin: StepPlugin, value: Record<string, unknown>): PathIssue[] {
  const { issues } = zodIssues(plugin.input, value);
  const problems = issues
    .filter((issue) => issue.atKey || !dependsOnExpression(value, issue.path))
    .map((issue) =>
      issue.atKey && issue.path.length === 1
        ? { ...issue, message: issue.message.replace(/^unknown key "[^"]*"/, forType) }
        : issue
    );
  const known = strippedObjectKeys(plugin);
  for (const key of known ? Object.keys(value) : []) {
    if (known!.includes(key)) continue;
    const suggestion = nearestName(key, known!);
    problems.push({
      path: [key],
      message: forType(`unknown key "${key}"`) +
        (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
        `; allowed keys: ${known!.join(", ") || "none"}`,
      atKey: true,
    });
  }
  return problems;

  function forType(text: string): string {
    return `${text} for step type "${plugin.type}"`;
  }
}
