import assert from "node:assert/strict";
import { join } from "node:path";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import { StepRegistry } from "../../runner/registry.ts";
import { issueAt, issuesOf, loadIssues, loadText, testRegistry, writeTemp } from "./helpers.ts";

Deno.test("a valid pipeline becomes the model with ids, durations in seconds and merged retry", async () => {
  const pipeline = await loadText(`name: demo
inputs:
  count: { type: integer, default: 2 }
  token: { type: string, secret: true, required: true }
defaults: { timeout: 10m, retry: { attempts: 2, delay: 5s } }
steps:
  - uses: emit
    with: { count: "\${{ inputs.count }}" }
  - id: say
    uses: noop
    if: \${{ steps.emit.outputs.needs_build }}
    timeout: 1h30m
    retry: { backoff: constant, on: [timeout] }
  - uses: noop
    always: true
    continue_on_error: true
    retry: 5
`);
  assert.equal(pipeline.name, "demo");
  assert.equal(pipeline.concurrency, 4);
  assert.deepEqual(pipeline.steps.map((s) => s.id), ["emit", "say", "noop"]);
  assert.deepEqual(pipeline.steps.map((s) => s.line), [7, 9, 14]);
  assert.equal(pipeline.steps[0].timeoutSeconds, 600);
  assert.equal(pipeline.steps[1].timeoutSeconds, 5400);
  assert.equal(pipeline.steps[1].if, "${{ steps.emit.outputs.needs_build }}");
  assert.deepEqual(pipeline.steps[1].retry, {
    attempts: 2,
    backoff: "constant",
    delaySeconds: 5,
    maxDelaySeconds: 60,
    jitter: 0.2,
    on: ["timeout"],
  });
  assert.equal(pipeline.steps[2].retry.attempts, 5);
  assert.equal(pipeline.steps[2].always, true);
  assert.equal(pipeline.steps[2].continueOnError, true);
  assert.equal(pipeline.steps[1].plugin.type, "noop");
  assert.deepEqual(pipeline.inputs.token, {
    type: "string",
    items: undefined,
    default: undefined,
    required: true,
    secret: true,
    description: undefined,
    enum: undefined,
  });
});

Deno.test("retry on: [any] means the same as on: any", async () => {
  const pipeline = await loadText(`name: demo
steps:
  - uses: noop
    retry: { attempts: 2, on: [any] }
  - id: second
    uses: noop
    retry: { attempts: 2, on: [timeout, connection] }
`);
  assert.equal(pipeline.steps[0].retry.on, "any");
  assert.deepEqual(pipeline.steps[1].retry.on, ["timeout", "connection"]);
});

Deno.test("team plugins listed under plugins: are loaded relative to the pipeline file", async () => {
  const file = new URL("../fixtures/pipelines/valid.yaml", import.meta.url).pathname;
  const empty = new StepRegistry();
  const pipeline = await loadPipeline(file, empty);
  assert.equal(pipeline.plugins.length, 2);
  assert.match(pipeline.plugins[0], /^file:\/\/.*tests\/fixtures\/plugins\/noop\.ts$/);
  assert.deepEqual(pipeline.steps.map((s) => s.uses), ["emit", "noop", "noop"]);
  assert.equal(empty.has("noop"), false, "the caller's registry is not changed");
});

Deno.test("bad indentation is a YAML syntax error with the parser's line and column", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n   with: {}\n");
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, "p.yaml");
  assert.equal(issues[0].line, 4);
  assert.equal(issues[0].col, 1);
  assert.match(issues[0].message, /YAML syntax error/);
});

Deno.test("a tab used for indentation is reported at its line", async () => {
  const issues = await loadIssues("name: x\nsteps:\n\t- uses: noop\n");
  assert.equal(issues.length, 1);
  assert.deepEqual([issues[0].line, issues[0].col], [3, 1]);
  assert.equal(issues[0].key, "steps");
  assert.match(issues[0].message, /Tabs are not allowed as indentation \(indent with spaces\)/);
});

Deno.test("a duplicate key is reported at the second occurrence with its key path", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n    uses: emit\n");
  assert.equal(issues.length, 1);
  assert.deepEqual([issues[0].line, issues[0].col], [4, 5]);
  assert.equal(issues[0].key, "steps[0].uses");
  assert.match(issues[0].message, /Map keys must be unique/);
});

Deno.test("a duplicate key is reported together with the file's other problems", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    uses: emit\n  - uses: nope\n    timeout: 10 minutes\n",
  );
  assert.deepEqual(issues.map((i) => i.key), [
    "steps[0].uses",
    "steps[1].uses",
    "steps[1].timeout",
  ]);
  assert.match(issues[0].message, /Map keys must be unique/);
});

Deno.test("an empty pipeline file is an error saying what is expected", async () => {
  for (const text of ["", "  \n", "# only a comment\n"]) {
    const issues = await loadIssues(text);
    assert.equal(issues.length, 1);
    assert.deepEqual([issues[0].source, issues[0].line, issues[0].col], ["p.yaml", 1, 1]);
    assert.match(
      issues[0].message,
      /pipeline file is empty; expected a mapping with .*name: and steps:/,
    );
  }
});

Deno.test("a missing pipeline file is an error naming it", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "absent.yaml");
  const issues = await issuesOf(() => loadPipeline(file, testRegistry()));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].source, file);
  assert.equal(issues[0].line, undefined);
  assert.match(issues[0].message, /pipeline file not found: .*absent\.yaml/);
});

Deno.test("an unknown step type is located at uses: and suggests the nearest type", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: emit\n  - uses: nop\n");
  const issue = issueAt(issues, "steps[1].uses");
  assert.deepEqual([issue.line, issue.col], [4, 11]);
  assert.match(issue.message, /unknown step type "nop" \(did you mean "noop"\?\)/);
  assert.match(issue.message, /step types: noop, emit/);
});

Deno.test("an unknown key names the allowed keys and the closest one", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n    timout: 5s\n");
  const issue = issueAt(issues, "steps[0].timout");
  assert.deepEqual([issue.line, issue.col], [4, 5]);
  assert.match(issue.message, /unknown key "timout" \(did you mean "timeout"\?\)/);
  assert.match(issue.message, /allowed keys: id, uses, name, with, if, always/);
});

Deno.test("an unknown top-level key is reported too", async () => {
  const issues = await loadIssues("name: x\nstep:\n  - uses: noop\n");
  const unknown = issueAt(issues, "step");
  assert.deepEqual([unknown.line, unknown.col], [2, 1]);
  assert.match(unknown.message, /unknown key "step" \(did you mean "steps"\?\)/);
  const missing = issueAt(issues, "steps");
  assert.match(missing.message, /is required \(a list\)/);
});

Deno.test("a wrong type says what was expected and what was found", async () => {
  const issues = await loadIssues(
    "name: x\nconcurrency: many\nsteps:\n  - uses: noop\n    always: yes\n",
  );
  const concurrency = issueAt(issues, "concurrency");
  assert.deepEqual([concurrency.line, concurrency.col], [2, 14]);
  assert.match(concurrency.message, /expected an integer, got "many"/);
  const always = issueAt(issues, "steps[0].always");
  assert.deepEqual([always.line, always.col], [5, 13]);
  assert.match(always.message, /expected true or false, got "yes"/);
});

Deno.test("two steps with the same uses and no id are a duplicate-id error asking for id:", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n  - uses: emit\n  - uses: noop\n",
  );
  const issue = issueAt(issues, "steps[2].uses");
  assert.deepEqual([issue.line, issue.col], [5, 11]);
  assert.match(issue.message, /duplicate step id "noop" \(already used by steps\[0\] at line 3\)/);
  assert.match(issue.message, /add "id:" to tell the steps apart/);
});

Deno.test("an explicit duplicate id is reported at id:", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - { id: a, uses: noop }\n  - id: a\n    uses: emit\n",
  );
  const issue = issueAt(issues, "steps[1].id");
  assert.deepEqual([issue.line, issue.col], [4, 9]);
  assert.match(issue.message, /duplicate step id "a"/);
});

Deno.test("a reference to an undefined step is located inside the expression", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    if: ${{ steps.ena-chek.outputs.needs_build }}\n",
  );
  const issue = issueAt(issues, "steps[0].if");
  assert.deepEqual([issue.line, issue.col], [4, 13]);
  assert.match(
    issue.message,
    /steps\.ena-chek\.outputs\.needs_build reads undefined step "ena-chek"/,
  );
});

Deno.test("a reference to a later step says it runs later", async () => {
  const issues = await loadIssues(
    'name: x\nsteps:\n  - uses: noop\n    with: { message: "${{ steps.emit.outputs.count }}" }\n  - uses: emit\n',
  );
  const issue = issueAt(issues, "steps[0].with.message");
  assert.deepEqual([issue.line, issue.col], [4, 27]); // the root of the path
  assert.match(issue.message, /reads step "emit", which runs later \(steps\[1\]\)/);
});

Deno.test("a reference to an undefined input lists the declared inputs", async () => {
  const issues = await loadIssues(
    'name: x\ninputs:\n  count: { type: integer }\nsteps:\n  - uses: noop\n    with:\n      message: "n=${{ inputs.cuont }}"\n',
  );
  const issue = issueAt(issues, "steps[0].with.message");
  assert.deepEqual([issue.line, issue.col], [7, 23]); // the root of the path
  assert.match(
    issue.message,
    /inputs\.cuont reads undefined input "cuont" \(did you mean inputs\.count\?\)/,
  );
  assert.match(issue.message, /declared inputs: count/);
});

Deno.test("an output key the step does not declare is an error", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: emit\n  - uses: noop\n    if: steps.emit.outputs.needs_bild\n",
  );
  const issue = issueAt(issues, "steps[1].if");
  assert.deepEqual([issue.line, issue.col], [5, 9]);
  assert.match(issue.message, /has no output "needs_bild" \(did you mean "needs_build"\?\)/);
});

Deno.test("target is not available to pipeline-scope steps", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: emit\n    if: target.instanceType == 'c7i.large'\n",
  );
  assert.match(issueAt(issues, "steps[0].if").message, /only available in target-scope steps/);
});

Deno.test("an expression syntax error is located at its column", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n    if: inputs.a = 1\n");
  const issue = issueAt(issues, "steps[0].if");
  assert.deepEqual([issue.line, issue.col], [4, 18]);
  assert.match(issue.message, /invalid expression: unexpected character '='; use == to compare/);
});

Deno.test("a bad duration '10 minutes' names the accepted forms", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n    timeout: 10 minutes\n");
  const issue = issueAt(issues, "steps[0].timeout");
  assert.deepEqual([issue.line, issue.col], [4, 14]);
  assert.match(
    issue.message,
    /invalid duration "10 minutes": expected .*500ms, 5s, 10m, 2h, 1h30m/,
  );
});

Deno.test("negative or zero retry attempts are errors, in shorthand and mapping form", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    retry: -1\n  - id: b\n    uses: noop\n    retry: { attempts: 0 }\n",
  );
  const shorthand = issueAt(issues, "steps[0].retry");
  assert.deepEqual([shorthand.line, shorthand.col], [4, 12]);
  assert.match(shorthand.message, /must be >= 1 \(got -1\)/);
  const mapping = issueAt(issues, "steps[1].retry.attempts");
  assert.deepEqual([mapping.line, mapping.col], [7, 24]);
  assert.match(mapping.message, /must be >= 1 \(got 0\)/);
});

Deno.test("an unknown retry.on kind lists the error kinds", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    retry: { attempts: 2, on: [timeout, flaky] }\n",
  );
  const issue = issueAt(issues, "steps[0].retry.on[1]");
  assert.match(issue.message, /expected one of "any", "timeout", "cancelled", .*got "flaky"/);
});

Deno.test("with: is validated against the plugin's input schema", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    with:\n      message: 5\n      count: 0\n      colour: red\n",
  );
  const message = issueAt(issues, "steps[0].with.message");
  assert.deepEqual([message.line, message.col], [5, 16]);
  assert.match(message.message, /expected a string, got 5/);
  assert.match(issueAt(issues, "steps[0].with.count").message, /must be >= 1 \(got 0\)/);
  const colour = issueAt(issues, "steps[0].with.colour");
  assert.deepEqual([colour.line, colour.col], [7, 7]);
  assert.match(
    colour.message,
    /unknown key "colour" for step type "noop"; allowed keys: message, count/,
  );
});

Deno.test("with: values holding expressions skip type checks but keep reference checks", async () => {
  const ok = await loadText(
    'name: x\ninputs:\n  n: { type: string }\nsteps:\n  - uses: noop\n    with: { count: "${{ inputs.n }}" }\n',
  );
  assert.equal(ok.steps[0].with.count, "${{ inputs.n }}");
  const issues = await loadIssues(
    'name: x\nsteps:\n  - uses: noop\n    with: { count: "${{ inputs.n }}" }\n',
  );
  assert.equal(issues.length, 1);
  assert.match(issueAt(issues, "steps[0].with.count").message, /undefined input "n"/);
});

Deno.test("a plain z.object input schema still reports unknown with: keys", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: emit\n    with: { cont: 2 }\n");
  assert.match(
    issueAt(issues, "steps[0].with.cont").message,
    /unknown key "cont" for step type "emit" \(did you mean "count"\?\)/,
  );
});

Deno.test("input defaults and enum values must match the declared type", async () => {
  const issues = await loadIssues(
    "name: x\ninputs:\n  n: { type: integer, default: many }\n  mode: { type: string, enum: [a, 2] }\n  list: { type: array, items: integer, default: [1, x] }\nsteps:\n  - uses: noop\n",
  );
  const n = issueAt(issues, "inputs.n.default");
  assert.deepEqual([n.line, n.col], [3, 32]);
  assert.match(n.message, /default does not fit: expected integer, got "many"/);
  assert.match(issueAt(issues, "inputs.mode.enum[1]").message, /expected string, got 2/);
  assert.match(issueAt(issues, "inputs.list.default").message, /item 1 is "x"/);
});

Deno.test("a team plugin that cannot be loaded is reported at its plugins: entry", async () => {
  const bad = new URL("../fixtures/plugins/bad-missing-run.ts", import.meta.url).pathname;
  const file = await writeTemp(
    `name: x\nplugins:\n  - ./missing.ts\n  - ${bad}\nsteps:\n  - uses: noop\n`,
  );
  const issues = await issuesOf(() =>
    loadPipeline(file, testRegistry(), { displayPath: "p.yaml" })
  );
  const missing = issueAt(issues, "plugins[0]");
  assert.deepEqual([missing.line, missing.col], [3, 5]);
  assert.match(missing.message, /cannot import plugin module .*missing\.ts/);
  assert.match(issueAt(issues, "plugins[1]").message, /"run" must be a function/);
});

Deno.test("every problem is reported at once, in file order", async () => {
  const issues = await loadIssues(
    "name: x\nconcurrency: 0\nsteps:\n  - uses: nope\n  - uses: noop\n    timeout: forever\n",
  );
  assert.deepEqual(issues.map((i) => i.key), ["concurrency", "steps[0].uses", "steps[1].timeout"]);
  assert.deepEqual(issues.map((i) => i.line), [2, 4, 6]);
});

Deno.test("a misspelt enum value suggests the nearest allowed one", async () => {
  const issues = await loadIssues(
    "name: x\ninputs:\n  n: { type: strin }\nsteps:\n  - uses: noop\n    retry: { on: [conection] }\n",
  );
  assert.match(issueAt(issues, "inputs.n.type").message, /got "strin" \(did you mean "string"\?\)/);
  assert.match(
    issueAt(issues, "steps[0].retry.on[0]").message,
    /got "conection" \(did you mean "connection"\?\)/,
  );
});

Deno.test("one unclosed [ inside a flow mapping is one problem that names the bracket", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    with: { message: [a, b }\n",
  );
  assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
  assert.equal(issues[0].line, 4);
  assert.match(issues[0].message, /is a "\[" left without its "\]"\?/);
});

Deno.test("only the first syntax error is reported: the later ones follow from it", async () => {
  const issues = await loadIssues(
    "name: x\nsteps:\n  - uses: noop\n    with: { message: [a }\n  - uses: noop\n    with: { message: [b }\n",
  );
  assert.deepEqual(issues.map((i) => i.line), [4]);
});

Deno.test("a negative timeout is one problem saying it must not be negative", async () => {
  const issues = await loadIssues("name: x\nsteps:\n  - uses: noop\n    timeout: -5\n");
  assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
  assert.equal(issues[0].key, "steps[0].timeout");
  assert.match(issues[0].message, /^must not be negative/);
});
