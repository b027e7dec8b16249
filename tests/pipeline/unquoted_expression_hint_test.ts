/**
 * The loader's hint for an unquoted `${{ }}` expression in a flow mapping or
 * list: its braces are YAML syntax, so the parser's message alone does not
 * say what is wrong.
 */
import assert from "node:assert/strict";
import { loadIssues } from "./helpers.ts";

Deno.test("a YAML syntax error at an unquoted ${{ }} in a flow mapping says to quote it", async () => {
  const issues = await loadIssues(`name: t
inputs:
  hosts: { type: string, default: a }
steps:
  - uses: noop
    with: { message: \${{ inputs.hosts }} }
`);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].line, 6);
  assert.match(issues[0].message, /^YAML syntax error: /);
  assert.ok(
    issues[0].message.endsWith('(quote the expression, e.g. message: "${{ inputs.hosts }}")'),
    issues[0].message,
  );
});

Deno.test("a YAML syntax error away from any ${{ }}, or at a quoted one, has no quoting hint", async () => {
  for (
    const line of [
      `    with: { message: "\${{ inputs.hosts }}", count: [1 }`,
      `    with: { message: x, count: [1 }`,
    ]
  ) {
    const issues = await loadIssues(`name: t\nsteps:\n  - uses: noop\n${line}\n`);
    assert.ok(issues.length > 0);
    assert.ok(!issues.some((issue) => /quote the expression/.test(issue.message)), line);
  }
});
