import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Runs bench/startup-floor.ts on `file`; returns its exit code and stderr. */
async function floor(file: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=cli", "bench/startup-floor.ts", file],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("startup floor: parses every shipped pipeline", async () => {
  for await (const entry of Deno.readDir(`${ROOT}pipelines`)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const { code, stderr } = await floor(`pipelines/${entry.name}`);
    assert.equal(code, 0, `${entry.name}: ${stderr}`);
  }
});

Deno.test("startup floor: a file that is not a mapping fails", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(file, "- a\n- b\n");
    const { code, stderr } = await floor(file);
    assert.notEqual(code, 0);
    assert.match(stderr, /not a mapping/);
  } finally {
    await Deno.remove(file);
  }
});
