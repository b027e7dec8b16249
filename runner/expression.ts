/**
 * Pipeline expressions: `${{ expr }}` templates in `with:` values and `if:`
 * conditions, evaluated without `eval`/`new Function` over an
 * {@link ExpressionScope} (`inputs`, `steps.<id>.outputs`, `target`, `run`).
 *
 * Semantics follow GitHub Actions expressions (docs.github.com, "Evaluate
 * expressions in workflows and actions"): truthiness, loose `==` with string
 * comparison ignoring case, `&&`/`||` returning an operand, and the functions
 * `contains`, `startsWith`, `endsWith`, `join`, `format`, `toJSON`, `fromJSON`.
 * Property access reads own data properties only, so `constructor`,
 * `__proto__` or `toString` never reach a prototype; a missing property gives
 * `undefined` rather than an error.
 *
 * Why not GitHub's `@actions/expressions` (checked at 0.3.61): it has no
 * double-quoted strings, unescapes only the first `''` in a literal, gives
 * `null` (not `undefined`) for a missing key, reports lexer errors as plain
 * `Error`s with the position only inside the message text, crashes with a
 * `TypeError` on an empty expression, gives no position for function errors
 * (`fromJSON`), and rejects unknown root names at parse time, before the
 * undefined-reference check can name the nearest valid one.
 * @module
 */
import {
  ExpressionError,
  type ExpressionNode,
  ExpressionSyntaxError,
  type TemplateNode,
} from "./expression-ast.ts";
import {
  compareValues,
  FUNCTIONS,
  isTruthy,
  looseEquals,
  stringify,
} from "./expression-functions.ts";
import { parseExpression, parseTemplate } from "./expression-parser.ts";
import type { ExpressionScope } from "./pipeline/model.ts";

export { ExpressionError, ExpressionSyntaxError, isTruthy, parseExpression, parseTemplate };
export type { ExpressionNode, TemplateNode };

/** A property path an expression reads, e.g. `steps.ena-check.outputs.needs_build`. */
export interface ExpressionReference {
  /** Root name: `inputs`, `steps`, `target`, `run` (or an unknown name to report). */
  root: string;
  /** Static segments after the root (`["ena-check", "outputs", "needs_build"]`). */
  segments: (string | number)[];
  /** Dotted form: `steps.ena-check.outputs.needs_build`, indexes as `[0]`. */
  path: string;
  /** 1-based column of the root name inside the parsed string. */
  column: number;
}

/**
 * Lists the property paths an expression or template reads, for validation of
 * undefined references. A path stops at a computed index (`a[inputs.i]` gives
 * `a` and `inputs.i`).
 * @param ast a node from {@link parseExpression} or {@link parseTemplate}
 * @returns references in source order
 */
export function referencesOf(ast: ExpressionNode | TemplateNode): ExpressionReference[] {
  const out: ExpressionReference[] = [];
  if (ast.kind === "template") {
    for (const part of ast.parts) if (part.kind === "expression") collect(part.expression, out);
  } else {
    collect(ast, out);
  }
  return out;
}

function collect(node: ExpressionNode, out: ExpressionReference[]): void {
  switch (node.kind) {
    case "literal":
      return;
    case "identifier":
    case "member": {
      const segments: (string | number)[] = [];
      let current: ExpressionNode = node;
      while (current.kind === "member" && current.property.kind === "literal") {
        const value = current.property.value;
        segments.unshift(typeof value === "number" ? value : String(value));
        current = current.object;
      }
      if (current.kind === "identifier") {
        out.push({
          root: current.name,
          segments,
          path: formatPath(current.name, segments),
          column: current.column,
        });
      } else if (current.kind === "member") {
        collect(current.object, out);
        collect(current.property, out);
      } else {
        collect(current, out);
      }
      return;
    }
    case "not":
      return collect(node.operand, out);
    case "comparison":
    case "logical":
      collect(node.left, out);
      return collect(node.right, out);
    case "call":
      for (const arg of node.args) collect(arg, out);
  }
}

/** `steps.ena-check.outputs.x`, numbers as `[0]`. */
function formatPath(root: string, segments: (string | number)[]): string {
  return segments.reduce<string>(
    (path, segment) => typeof segment === "number" ? `${path}[${segment}]` : `${path}.${segment}`,
    root,
  );
}

/**
 * True when `value` (deeply, through arrays and plain objects) holds a string
 * with `${{`.
 */
export function containsExpression(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${{");
  if (Array.isArray(value)) return value.some(containsExpression);
  if (isPlainObject(value)) return Object.values(value).some(containsExpression);
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const templateCache = new Map<string, TemplateNode>();

/** Parses with a small cache (templates are evaluated once per target). */
function cachedTemplate(source: string): TemplateNode {
  let ast = templateCache.get(source);
  if (!ast) {
    ast = parseTemplate(source);
    if (templateCache.size > 2000) templateCache.clear();
    templateCache.set(source, ast);
  }
  return ast;
}

/**
 * Evaluates every `${{ }}` in `value`, deeply through arrays and plain
 * objects (keys are not evaluated). A string that is exactly one `${{ expr }}`
 * becomes the expression's value with its type (number, array, ...; a missing
 * path gives `undefined`); other strings interpolate each value as text
 * (`null`/`undefined` as `""`, arrays/objects as JSON). Non-string leaves are
 * returned as they are. The input is not modified.
 * @param value a `with:` mapping or any value from YAML
 * @param scope what expressions can read
 * @throws ExpressionSyntaxError for malformed expressions; ExpressionError when
 *   a function fails (e.g. `fromJSON` of invalid JSON)
 */
export function evaluateTemplate(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === "string") {
    if (!value.includes("${{")) return value;
    return renderTemplate(cachedTemplate(value), scope);
  }
  if (Array.isArray(value)) return value.map((item) => evaluateTemplate(item, scope));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = evaluateTemplate(item, scope);
    return result;
  }
  return value;
}

function renderTemplate(ast: TemplateNode, scope: ExpressionScope): unknown {
  const [first] = ast.parts;
  if (ast.parts.length === 1 && first.kind === "expression") {
    return evaluate(first.expression, scope);
  }
  return ast.parts
    .map((part) => part.kind === "text" ? part.value : stringify(evaluate(part.expression, scope)))
    .join("");
}

/**
 * Evaluates an `if:` condition: a bare expression (`inputs.n > 1`) or a
 * template (`${{ inputs.n > 1 }}`). The result is the truthiness of the value
 * (see {@link isTruthy}); a template mixing text and expressions is a
 * non-empty string and so true unless it renders empty.
 * @param source the condition text
 * @param scope what expressions can read
 * @returns whether the step should run
 * @throws ExpressionSyntaxError for malformed conditions (column inside `source`)
 */
export function evaluateCondition(source: string, scope: ExpressionScope): boolean {
  if (source.includes("${{")) return isTruthy(renderTemplate(cachedTemplate(source), scope));
  return isTruthy(evaluateExpression(parseExpression(source), scope));
}

/**
 * Evaluates a parsed expression.
 * @throws ExpressionError when a built-in function fails
 */
export function evaluateExpression(node: ExpressionNode, scope: ExpressionScope): unknown {
  return evaluate(node, scope);
}

function evaluate(node: ExpressionNode, scope: ExpressionScope): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "identifier":
      return readProperty(scope, node.name);
    case "member": {
      const object = evaluate(node.object, scope);
      const key = evaluate(node.property, scope);
      return readProperty(object, key);
    }
    case "not":
      return !isTruthy(evaluate(node.operand, scope));
    case "logical": {
      const left = evaluate(node.left, scope);
      if (node.operator === "&&") return isTruthy(left) ? evaluate(node.right, scope) : left;
      return isTruthy(left) ? left : evaluate(node.right, scope);
    }
    case "comparison": {
      const left = evaluate(node.left, scope);
      const right = evaluate(node.right, scope);
      switch (node.operator) {
        case "==":
          return looseEquals(left, right);
        case "!=":
          return !looseEquals(left, right);
        case "<":
          return compareValues(left, right) < 0;
        case "<=":
          return compareValues(left, right) <= 0;
        case ">":
          return compareValues(left, right) > 0;
        case ">=":
          return compareValues(left, right) >= 0;
      }
      return false;
    }
    case "call": {
      const spec = FUNCTIONS.get(node.name);
      if (!spec) throw new ExpressionError(`unknown function ${node.name}()`, node.column);
      return spec.call(node.args.map((arg) => evaluate(arg, scope)), node.column);
    }
  }
}

/**
 * Reads an own data property: array elements by integer index, object keys
 * by name. Anything else (prototype members, functions, getters, primitives)
 * gives `undefined`.
 */
function readProperty(object: unknown, key: unknown): unknown {
  if (object === null || typeof object !== "object") return undefined;
  if (Array.isArray(object)) {
    const index = typeof key === "number" ? key : typeof key === "string" ? Number(key) : NaN;
    return Number.isInteger(index) && index >= 0 && index < object.length
      ? object[index]
      : undefined;
  }
  if (typeof key !== "string" && typeof key !== "number") return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(object, String(key));
  if (!descriptor || !("value" in descriptor) || typeof descriptor.value === "function") {
    return undefined;
  }
  return descriptor.value;
}
