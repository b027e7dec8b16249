/**
 * End to end: a secret input (with `'`, `"`, `$` and a space) that a step puts
 * into a remote command line (shell-quoted) and into its failure message is
 * masked in everything the run writes: stdout/stderr (`-v`), `--log-json`,
 * the journal and the four report files, in every form the tool derives from
 * it (as is, shell-quoted, URL-encoded, JSON-escaped).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { walk } from "./walk.ts";
import { makeWorkDir, runCli, simSetArgs, startE2eSimulator } from "./helpers.ts";
import { secretForms } from "../../runner/events.ts";

/** The secret: a token with every character that changes under quoting or encoding. */
const SECRET = `tok'en "p$w d`;

const PIPELINE = `name: secret-masking
inputs:
  repo_token: { type: string, secret: true, required: true }
  subnet_id: { type: string, required: true }
  key_name: { type: string, required: true }
  private_key: { type: string, required: true }
  security_group_ids: { type: array, items: string, default: [] }
  placement_group: { type: string, default: "" }
steps:
  - uses: launch
    with:
      instance_types: m7a.large
      subnet_id: \${{ inputs.subnet_id }}
      key_name: \${{ inputs.key_name }}
      private_key: \${{ inputs.private_key }}
      security_group_ids: \${{ inputs.security_group_ids }}
      placement_group: \${{ inputs.placement_group }}
  - uses: connect
    with:
      private_key: \${{ inputs.private_key }}
  - uses: ena-build
    with:
      repository: "https://builder:\${{ inputs.repo_token }}@git.example.invalid/ena.git"
  - uses: report
    always: true
  - uses: cleanup
    always: true
`;

Deno.test("a failing run never writes a secret input, in any quoted, encoded or escaped form", async () => {
  const sim = await startE2eSimulator();
  const cwd = await makeWorkDir();
  try {
    const file = join(cwd, "secret.yaml");
    await Deno.writeTextFile(file, PIPELINE);
    const log = join(cwd, "events.jsonl");
    const result = await runCli([
      "run",
      file,
      "--yes",
      "-v",
      ...simSetArgs(sim),
      "--set",
      `repo_token=${SECRET}`,
      "--log-json",
      log,
    ], { cwd, env: sim.env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const events = await Deno.readTextFile(log);
    assert.match(events, /git clone/, "the secret went into a remote command line");
    const written: [string, string][] = [["stdout", result.stdout], ["stderr", result.stderr]];
    for await (const path of walk(cwd)) written.push([path, await Deno.readTextFile(path)]);
    assert.ok(written.some(([p]) => p.endsWith("journal.json")));
    assert.ok(written.filter(([p]) => /report\.(json|yaml|md)$|junit\.xml$/.test(p)).length === 4);
    const forms = [...secretForms(SECRET), "tok'\\''en", "tok%27en"];
    for (const [where, text] of written) {
      for (const form of forms) {
        const line = text.split("\n").find((l) => l.includes(form));
        assert.equal(line, undefined, `${where} holds the secret as ${JSON.stringify(form)}`);
      }
    }
  } finally {
    await sim.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
