import assert from "node:assert/strict";
import { colorEnabled, palette } from "../../runner/colour.ts";

/** An environment holding only `vars`. */
const env = (vars: Record<string, string> = {}) => ({ get: (name: string) => vars[name] });

Deno.test("colorEnabled follows the terminal unless NO_COLOR or FORCE_COLOR is set", () => {
  assert.equal(colorEnabled(true, env()), true);
  assert.equal(colorEnabled(false, env()), false);
  assert.equal(colorEnabled(true, env({ NO_COLOR: "1" })), false);
  assert.equal(colorEnabled(true, env({ NO_COLOR: "" })), true); // empty counts as unset
  assert.equal(colorEnabled(false, env({ FORCE_COLOR: "1" })), true);
  assert.equal(colorEnabled(false, env({ FORCE_COLOR: "" })), false);
  assert.equal(colorEnabled(true, env({ NO_COLOR: "1", FORCE_COLOR: "1" })), false);
  assert.equal(colorEnabled(false, env({ CI: "true" })), false); // unlike picocolors' default
});

Deno.test("palette wraps text in colour codes only when enabled", () => {
  assert.equal(palette(true).red("failed"), "\x1b[31mfailed\x1b[39m");
  assert.equal(palette(true).bold("x"), "\x1b[1mx\x1b[22m");
  assert.equal(palette(false).red("failed"), "failed");
  assert.equal(palette(false).dim("none"), "none");
});

/**
 * Runs a child Deno (stdout is a pipe, so never a terminal) that prints a red
 * word through colour.ts with the real environment `vars` (plus what Deno
 * needs to find its cache).
 */
async function childOutput(vars: Record<string, string>): Promise<string> {
  const base: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) base[name] = value;
  }
  const module = new URL("../../runner/colour.ts", import.meta.url).href;
  const code = `import { colorEnabled, palette } from "${module}";\n` +
    `console.log(palette(colorEnabled()).red("word"));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    cwd: new URL("../../", import.meta.url),
    clearEnv: true,
    env: { ...base, ...vars },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("a piped child process colours with FORCE_COLOR and not with NO_COLOR", async () => {
  assert.equal(await childOutput({}), "word");
  assert.equal(await childOutput({ FORCE_COLOR: "1" }), "\x1b[31mword\x1b[39m");
  assert.equal(await childOutput({ NO_COLOR: "1" }), "word");
  assert.equal(await childOutput({ NO_COLOR: "1", FORCE_COLOR: "1" }), "word");
});
