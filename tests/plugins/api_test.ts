/**
 * The plugin API (`plugins/api.ts`) as the compiler sees it: a team plugin
 * type-checks with `ctx.target` typed by scope and facts declared by
 * declaration merging; an undeclared fact or a target in a pipeline-scope
 * step is a `deno check` error. Runs `deno check` as a subprocess on the
 * fixtures in tests/fixtures/plugins/.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

async function denoCheck(fixture: string): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", `tests/fixtures/plugins/${fixture}`],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text };
}

Deno.test("a target-scope team plugin reads ctx.target without ! and writes its declared fact", async () => {
  const { code, output } = await denoCheck("typed-target-step.ts");
  assert.equal(code, 0, output);
});

Deno.test("writing a fact no plugin declared fails deno check", async () => {
  const { code, output } = await denoCheck("typed-undeclared-fact.ts");
  assert.notEqual(code, 0);
  assert.match(output, /Property 'greting' does not exist on type 'TargetFacts'/);
});

Deno.test("a pipeline-scope step has no ctx.target: using it fails deno check", async () => {
  const { code, output } = await denoCheck("typed-pipeline-target.ts");
  assert.notEqual(code, 0);
  assert.match(output, /Property 'target' does not exist/);
});
