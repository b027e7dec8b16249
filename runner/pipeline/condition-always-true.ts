/**
 * Finds `if:` conditions that are always true: an `if:` that mixes `${{ }}`
 * with other text (`${{ inputs.a }} == x`) renders to a string, and a
 * non-empty string is truthy (runner/expression.ts `evaluateCondition`), so
 * the step always runs. GitHub Actions, whose `if:` this follows, documents
 * the same pitfall: "Using the `${{ }}` expression syntax turns the contents
 * into a string, and strings are truthy" (GitHub Docs, "Workflow syntax for
 * GitHub Actions", `jobs.<job_id>.steps[*].if`,
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax).
 * @module
 */
import { parseExpression, parseTemplate } from "../expression.ts";
import type { TemplateNode } from "../expression-ast.ts";

const OPERATORS = new Set(["==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "(", ")"]);
const LITERAL = /^(?:-?\d+(?:\.\d+)?|true|false|null|'.*')$/;

/**
 * The problem of an `if:` that is always true, with the condition rewritten
 * inside one `${{ }}` when that can be told (`${{ inputs.a == 'x' }}`).
 * @param condition the `if:` text as written
 * @returns the message, or undefined when the condition is a bare expression
 *   or exactly one `${{ }}` (or does not parse: the loader reports that)
 */
export function alwaysTrueCondition(condition: string): string | undefined {
  if (!condition.includes("${{")) return undefined;
  let template: TemplateNode;
  try {
    template = parseTemplate(condition);
  } catch {
    return undefined;
  }
  // Text next to an expression is never empty, so the rendered string never is.
  if (!template.parts.some((part) => part.kind === "text")) return undefined;
  return "this if: mixes ${{ }} with other text, so it renders to a non-empty string, " +
    "which is always true: the step always runs; write the whole condition inside one " +
    `\${{ }}, e.g. if: \${{ ${rewritten(template) ?? "inputs.a == 'x'"} }}`;
}

/** The condition as one expression (`inputs.a == 'x'`), or undefined when unsure. */
function rewritten(template: TemplateNode): string | undefined {
  const pieces: string[] = [];
  for (const part of template.parts) {
    if (part.kind === "expression") {
      pieces.push(part.source.includes(" ") ? `(${part.source})` : part.source);
      continue;
    }
    for (const word of part.value.trim().split(/\s+/).filter((w) => w !== "")) {
      pieces.push(
        OPERATORS.has(word) || LITERAL.test(word) ? word : `'${word.replace(/^"|"$/g, "")}'`,
      );
    }
  }
  const expression = pieces.join(" ");
  try {
    parseExpression(expression);
  } catch {
    return undefined;
  }
  return expression;
}
