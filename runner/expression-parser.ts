/**
 * Recursive-descent parser of pipeline expressions and `${{ }}` templates.
 *
 * Grammar (lowest precedence first):
 * ```
 * or         := and ("||" and)*
 * and        := equality ("&&" equality)*
 * equality   := comparison (("==" | "!=") comparison)*
 * comparison := unary (("<" | "<=" | ">" | ">=") unary)*
 * unary      := "!" unary | "-" NUMBER | postfix
 * postfix    := primary ("." NAME | "[" or "]")*
 * primary    := NUMBER | STRING | true | false | null | NAME | NAME "(" args ")" | "(" or ")"
 * ```
 * @module
 */
import {
  type ComparisonOperator,
  type ExpressionNode,
  ExpressionSyntaxError,
  type TemplateNode,
  type TemplatePart,
} from "./expression-ast.ts";
import { FUNCTIONS } from "./expression-functions.ts";
import { type Token, tokenize } from "./expression-lexer.ts";

/**
 * GitHub Actions status functions people write in `if:`, with what this
 * pipeline format offers instead.
 */
const STATUS_FUNCTION_HINTS: Record<string, string> = {
  always: "to run a step even after a failure or an interrupt, write `always: true` on the step",
  success: "a step runs only while nothing failed unless it has `always: true`; drop the if",
  failure: "write `always: true` on the step and test the targets or outputs instead",
  cancelled: "write `always: true` on the step; it runs after an interrupt too",
};
/**
 * Parses one expression (the text inside `${{ }}`, or a bare `if:` condition).
 * @param source the expression text
 * @param offset added to every column (where `source` starts inside a larger string)
 * @returns the syntax tree
 * @throws ExpressionSyntaxError with the 1-based column of the problem
 */
export function parseExpression(source: string, offset = 0): ExpressionNode {
  const parser = new Parser(tokenize(source, offset));
  if (parser.peek().type === "eof") {
    throw new ExpressionSyntaxError("empty expression", offset + 1);
  }
  const node = parser.parseOr();
  const rest = parser.peek();
  if (rest.type !== "eof") {
    throw new ExpressionSyntaxError(
      `unexpected ${describe(rest)} after the expression`,
      rest.column,
    );
  }
  return node;
}

/**
 * Parses a string that may hold `${{ expr }}` parts. Text outside `${{ }}` is
 * kept literally; `}}` inside a quoted string does not end the expression.
 * @param source the whole string (e.g. a `with:` value)
 * @returns the template; a string without `${{` gives one text part
 * @throws ExpressionSyntaxError with the 1-based column inside `source`
 */
export function parseTemplate(source: string): TemplateNode {
  const parts: TemplatePart[] = [];
  let index = 0;
  while (index < source.length) {
    const start = source.indexOf("${{", index);
    if (start < 0) break;
    if (start > index) parts.push({ kind: "text", value: source.slice(index, start) });
    // Without a `}}` outside quotes, a raw `}}` (inside an unterminated string) lets the
    // lexer report the real problem.
    let end = findClose(source, start + 3);
    if (end < 0) end = source.indexOf("}}", start + 3);
    if (end < 0) {
      throw new ExpressionSyntaxError("unclosed '${{': add '}}' after the expression", start + 1);
    }
    const inner = source.slice(start + 3, end);
    const expression = parseExpression(inner, start + 3);
    parts.push({ kind: "expression", expression, source: inner.trim(), column: start + 1 });
    index = end + 2;
  }
  if (index < source.length) parts.push({ kind: "text", value: source.slice(index) });
  if (parts.length === 0) parts.push({ kind: "text", value: "" });
  return { kind: "template", parts };
}

/** Index of the `}}` closing an expression that starts at `from`, skipping quoted strings. */
function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "}" && source[i + 1] === "}") {
      return i;
    }
  }
  return -1;
}

/** Human wording of a token for messages. */
function describe(token: Token): string {
  return token.type === "eof" ? "end of expression" : `'${token.text}'`;
}

const COMPARISONS = new Set(["<", "<=", ">", ">="]);

class Parser {
  #tokens: Token[];
  #position = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  peek(): Token {
    return this.#tokens[this.#position];
  }

  #next(): Token {
    return this.#tokens[this.#position++];
  }

  #isPunct(value: string): boolean {
    const token = this.peek();
    return token.type === "punct" && token.value === value;
  }

  #expect(value: string, context: string): Token {
    const token = this.peek();
    if (token.type !== "punct" || token.value !== value) {
      throw new ExpressionSyntaxError(
        `expected '${value}' ${context}, found ${describe(token)}`,
        token.column,
      );
    }
    return this.#next();
  }

  parseOr(): ExpressionNode {
    let left = this.#parseAnd();
    while (this.#isPunct("||")) {
      const op = this.#next();
      left = { kind: "logical", operator: "||", left, right: this.#parseAnd(), column: op.column };
    }
    return left;
  }

  #parseAnd(): ExpressionNode {
    let left = this.#parseEquality();
    while (this.#isPunct("&&")) {
      const op = this.#next();
      left = {
        kind: "logical",
        operator: "&&",
        left,
        right: this.#parseEquality(),
        column: op.column,
      };
    }
    return left;
  }

  #parseEquality(): ExpressionNode {
    let left = this.#parseComparison();
    while (this.#isPunct("==") || this.#isPunct("!=")) {
      const op = this.#next();
      left = {
        kind: "comparison",
        operator: op.value as ComparisonOperator,
        left,
        right: this.#parseComparison(),
        column: op.column,
      };
    }
    return left;
  }

  #parseComparison(): ExpressionNode {
    let left = this.#parseUnary();
    while (this.peek().type === "punct" && COMPARISONS.has(this.peek().value as string)) {
      const op = this.#next();
      left = {
        kind: "comparison",
        operator: op.value as ComparisonOperator,
        left,
        right: this.#parseUnary(),
        column: op.column,
      };
    }
    return left;
  }

  #parseUnary(): ExpressionNode {
    if (this.#isPunct("!")) {
      const op = this.#next();
      return { kind: "not", operand: this.#parseUnary(), column: op.column };
    }
    if (this.#isPunct("-")) {
      const op = this.#next();
      const number = this.peek();
      if (number.type !== "number") {
        throw new ExpressionSyntaxError(
          `'-' is only allowed before a number, found ${describe(number)}`,
          op.column,
        );
      }
      this.#next();
      return { kind: "literal", value: -number.value, column: op.column };
    }
    return this.#parsePostfix();
  }

  #parsePostfix(): ExpressionNode {
    let node = this.#parsePrimary();
    while (true) {
      if (this.#isPunct(".")) {
        const dot = this.#next();
        const name = this.peek();
        if (name.type !== "identifier") {
          throw new ExpressionSyntaxError(
            `expected a property name after '.', found ${describe(name)}`,
            name.column,
          );
        }
        this.#next();
        node = {
          kind: "member",
          object: node,
          property: { kind: "literal", value: name.value, column: name.column },
          column: dot.column,
        };
      } else if (this.#isPunct("[")) {
        const open = this.#next();
        const property = this.parseOr();
        this.#expect("]", "to close '['");
        node = { kind: "member", object: node, property, column: open.column };
      } else {
        return node;
      }
    }
  }

  #parsePrimary(): ExpressionNode {
    const token = this.#next();
    switch (token.type) {
      case "number":
      case "string":
        return { kind: "literal", value: token.value, column: token.column };
      case "identifier": {
        if (token.value === "true" || token.value === "false") {
          return { kind: "literal", value: token.value === "true", column: token.column };
        }
        if (token.value === "null") return { kind: "literal", value: null, column: token.column };
        if (this.#isPunct("(")) return this.#parseCall(token);
        return { kind: "identifier", name: token.value, column: token.column };
      }
      case "punct":
        if (token.value === "(") {
          const inner = this.parseOr();
          this.#expect(")", "to close '('");
          return inner;
        }
        throw new ExpressionSyntaxError(`unexpected ${describe(token)}`, token.column);
      case "eof":
        throw new ExpressionSyntaxError("unexpected end of expression", token.column);
    }
  }

  #parseCall(name: Token): ExpressionNode {
    const spec = FUNCTIONS.get(String(name.value).toLowerCase());
    if (!spec) {
      const known = [...FUNCTIONS.values()].map((f) => f.name).join(", ");
      const hint = STATUS_FUNCTION_HINTS[String(name.value).toLowerCase()];
      throw new ExpressionSyntaxError(
        `unknown function ${name.value}()${hint ? ` (${hint})` : ""}; available: ${known}`,
        name.column,
      );
    }
    this.#next(); // (
    const args: ExpressionNode[] = [];
    if (!this.#isPunct(")")) {
      args.push(this.parseOr());
      while (this.#isPunct(",")) {
        this.#next();
        args.push(this.parseOr());
      }
    }
    this.#expect(")", `to close the arguments of ${spec.name}()`);
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const wanted = spec.minArgs === spec.maxArgs
        ? `${spec.minArgs}`
        : spec.maxArgs > 10
        ? `at least ${spec.minArgs}`
        : `${spec.minArgs} or ${spec.maxArgs}`;
      throw new ExpressionSyntaxError(
        `${spec.name}() takes ${wanted} argument(s), got ${args.length}`,
        name.column,
      );
    }
    return { kind: "call", name: spec.name.toLowerCase(), args, column: name.column };
  }
}
