/**
 * Contract test against moto (an EC2 endpoint this project did not write,
 * with a real catalogue of instance types carrying PhcSupport). Skipped with
 * a notice when `moto_server` is not installed.
 */
import assert from "node:assert/strict";
import { runDiscoverCommand } from "../../plugins/discover/command.ts";
import { findFreePort } from "../../sim/mod.ts";
import { fakeAwsEnv } from "./catalogue.ts";

fakeAwsEnv();

/** The Python that has moto, resolved past pyenv shims (so the server is our direct child). */
function motoPython(): string | null {
  try {
    const out = new Deno.Command("python3", {
      args: ["-c", "import moto, sys; print(sys.executable)"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

const python = motoPython();
if (!python) {
  console.log("notice: moto is not installed; skipping the moto contract test of discover");
}

Deno.test({
  name: "discover lists moto's real catalogue filtered to PhcSupport supported",
  ignore: !python,
  async fn() {
    const port = findFreePort();
    const server = new Deno.Command(python!, {
      args: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`${endpoint}/moto-api/`).then((r) =>
          r.body?.cancel().then(() => true)
        )
          .catch(() => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const out: string[] = [];
      const err: string[] = [];
      const code = await runDiscoverCommand(
        { region: ["us-east-1"], endpoint, output: "json", supportedOnly: true },
        { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false, color: false },
      );
      assert.equal(code, 0, err.join("\n"));
      const doc = JSON.parse(out.join("\n"));
      assert.ok(doc.types.length > 50, `only ${doc.types.length} supported types`);
      assert.ok(doc.types.every((t: { phc_support: string }) => t.phc_support === "supported"));
      assert.ok(
        doc.types.some((t: { architectures: string[] }) => t.architectures.includes("arm64")),
      );
      assert.equal(doc.instance_types.length, doc.types.length);
    } finally {
      server.kill("SIGTERM");
      await server.status;
    }
  },
});
