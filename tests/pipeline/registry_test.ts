import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { defineStep, z } from "../../plugins/api.ts";
import { PluginLoadError, pluginProblems, StepRegistry } from "../../runner/registry.ts";
import { plugin as emit } from "../fixtures/plugins/emit.ts";
import noop from "../fixtures/plugins/noop.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));

Deno.test("registry lists built-ins in order and finds them by type", () => {
  const registry = new StepRegistry([noop, emit]);
  assert.deepEqual(registry.types(), ["noop", "emit"]);
  assert.equal(registry.get("emit"), emit);
  assert.equal(registry.get("nope"), undefined);
  assert.equal(registry.originOf("noop"), "builtin");
  assert.equal(registry.list().length, 2);
});

Deno.test("nearest suggests the closest step type and nothing for unrelated names", () => {
  const registry = new StepRegistry([noop, emit]);
  assert.equal(registry.nearest("nop"), "noop");
  assert.equal(registry.nearest("emitt"), "emit");
  assert.equal(registry.nearest("configure-everything"), undefined);
});

Deno.test("two built-ins with the same type are refused", () => {
  assert.throws(() => new StepRegistry([noop, noop]), /"noop" .* built-in step type/);
});

Deno.test("pluginProblems names every missing or malformed field", () => {
  const problems = pluginProblems({ type: "Bad Type", scope: "host", input: {}, output: null });
  assert.equal(problems.length, 6);
  assert.match(problems.join("\n"), /"type" must be a lower-case/);
  assert.match(problems.join("\n"), /"description"/);
  assert.match(problems.join("\n"), /"scope" must be "pipeline" or "target" \(got "host"\)/);
  assert.match(problems.join("\n"), /"input" must be a zod schema/);
  assert.match(problems.join("\n"), /"output" must be a zod schema/);
  assert.match(problems.join("\n"), /"run" must be a function/);
  assert.deepEqual(pluginProblems(noop), []);
});

Deno.test("loadPluginModule registers a valid team plugin from its default export", async () => {
  const registry = new StepRegistry([emit]);
  const plugin = await registry.loadPluginModule(fixture("noop.ts"));
  assert.equal(plugin.type, "noop");
  assert.equal(registry.get("noop"), plugin);
  assert.match(String(registry.originOf("noop")), /^file:\/\/.*noop\.ts$/);
  // Loading the same module again is harmless.
  await registry.loadPluginModule(fixture("noop.ts"));
});

Deno.test("loadPluginModule accepts a named export 'plugin'", async () => {
  const registry = new StepRegistry();
  const plugin = await registry.loadPluginModule(fixture("emit.ts"));
  assert.equal(plugin.type, "emit");
});

Deno.test("loadPluginModule rejects an invalid plugin naming the file and what is missing", async () => {
  const registry = new StepRegistry();
  await assert.rejects(registry.loadPluginModule(fixture("bad-missing-run.ts")), (error) => {
    assert.ok(error instanceof PluginLoadError);
    assert.match(error.message, /bad-missing-run\.ts is invalid/);
    assert.match(error.message, /"run" must be a function/);
    assert.match(error.message, /"scope" must be "pipeline" or "target" \(got "host"\)/);
    return true;
  });
  assert.equal(registry.has("broken"), false);
});

Deno.test("loadPluginModule rejects a module without a plugin export", async () => {
  await assert.rejects(
    new StepRegistry().loadPluginModule(fixture("bad-no-export.ts")),
    /bad-no-export\.ts has no default export \(or export named "plugin"\)/,
  );
});

Deno.test("loadPluginModule rejects a missing file and a relative path", async () => {
  await assert.rejects(
    new StepRegistry().loadPluginModule(fixture("does-not-exist.ts")),
    (error) =>
      error instanceof PluginLoadError && /cannot import plugin module/.test(error.message),
  );
  await assert.rejects(
    new StepRegistry().loadPluginModule("plugins/x.ts"),
    /plugin path must be absolute/,
  );
});

Deno.test("a team plugin may not shadow a built-in step type", async () => {
  const registry = new StepRegistry([noop]);
  await assert.rejects(registry.loadPluginModule(fixture("shadow-noop.ts")), (error) => {
    assert.ok(error instanceof PluginLoadError);
    assert.match(error.message, /step type "noop" from file:.*shadow-noop\.ts is a built-in/);
    return true;
  });
  assert.equal(registry.get("noop"), noop);
});

Deno.test("clone gives a registry whose additions do not reach the original", () => {
  const registry = new StepRegistry([noop]);
  const copy = registry.clone();
  const extra = defineStep({
    type: "extra",
    description: "x",
    scope: "target",
    input: z.object({}),
    output: z.object({}),
    run: () => Promise.resolve({}),
  });
  copy.register(extra, "file:///x.ts");
  assert.equal(copy.has("extra"), true);
  assert.equal(registry.has("extra"), false);
});
