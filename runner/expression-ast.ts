/**
 * The syntax tree and errors of pipeline expressions (`${{ expr }}`).
 * Columns are 1-based positions inside the string that was parsed.
 * @module
 */

/** A literal value: number, string, boolean or null. */
export interface LiteralNode {
  kind: "literal";
  value: string | number | boolean | null;
  column: number;
}

/** A root name: `inputs`, `steps`, `target` or `run`. */
export interface IdentifierNode {
  kind: "identifier";
  name: string;
  column: number;
}

/** Property access: `a.b` (property is a string literal) or `a[expr]`. */
export interface MemberNode {
  kind: "member";
  object: ExpressionNode;
  property: ExpressionNode;
  column: number;
}

/** `!operand`. */
export interface NotNode {
  kind: "not";
  operand: ExpressionNode;
  column: number;
}

/** Comparison operators. */
export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** `left op right` for a comparison. */
export interface ComparisonNode {
  kind: "comparison";
  operator: ComparisonOperator;
  left: ExpressionNode;
  right: ExpressionNode;
  column: number;
}

/** `left && right` / `left || right`; the value is one of the operands, as in GitHub Actions. */
export interface LogicalNode {
  kind: "logical";
  operator: "&&" | "||";
  left: ExpressionNode;
  right: ExpressionNode;
  column: number;
}

/** A call of a built-in function, name lower-cased (`startswith`). */
export interface CallNode {
  kind: "call";
  name: string;
  args: ExpressionNode[];
  column: number;
}

/** Any expression node. */
export type ExpressionNode =
  | LiteralNode
  | IdentifierNode
  | MemberNode
  | NotNode
  | ComparisonNode
  | LogicalNode
  | CallNode;

/** A piece of a template string: literal text or one `${{ }}` expression. */
export type TemplatePart =
  | { kind: "text"; value: string }
  | { kind: "expression"; expression: ExpressionNode; source: string; column: number };

/**
 * A parsed template string. When `parts` is exactly one expression the
 * template evaluates to that expression's value with its type kept.
 */
export interface TemplateNode {
  kind: "template";
  parts: TemplatePart[];
}

/** An error while evaluating an expression (e.g. `fromJSON` of invalid JSON). */
export class ExpressionError extends Error {
  /** 1-based column inside the parsed string. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = "ExpressionError";
    this.column = column;
  }
}

/** A malformed expression. `column` is 1-based inside the string given to the parser. */
export class ExpressionSyntaxError extends ExpressionError {
  constructor(message: string, column: number) {
    super(message, column);
    this.name = "ExpressionSyntaxError";
  }
}
