import assert from "node:assert/strict";
import { EventBus, Redactor } from "../../runner/events.ts";
import { readJournal } from "../../runner/journal.ts";
import { JsonLinesWriter } from "../../runner/jsonl.ts";
import { addTargetsStep, pipeline, plugin, runRecorded, step } from "./helpers.ts";

declare module "../../plugins/api.ts" {
  interface TargetFacts {
    /** A fact this test writes to check facts are redacted. */
    note?: string;
  }
}

const KEY = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n");

Deno.test("secrets never reach events, the JSON Lines file or the journal", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "ptp-redact-" });
  const jsonl = `${workDir}/events.jsonl`;
  const writer = JsonLinesWriter.open(jsonl);
  const runId = "20260101-000000-rdct";
  const bus = new EventBus(runId);
  bus.subscribe((e) => writer.write(e));
  const leak = plugin("leak", "target", (ctx) => {
    ctx.addSecret("tok-from-step-9876");
    ctx.log.info(`password is hunter2-secret, token tok-from-step-9876, key ${KEY}`);
    ctx.target!.facts.note = "hunter2-secret in facts";
    return { echoed: "hunter2-secret" };
  });
  const { events } = await runRecorded(
    pipeline([addTargetsStep(["a"]), step("leak", leak)]),
    {
      bus,
      runId,
      workDir,
      inputs: {
        values: { password: "hunter2-secret", region: "us-east-1" },
        secrets: ["password"],
      },
    },
  );
  writer.close();
  const texts = [
    JSON.stringify(events),
    await Deno.readTextFile(jsonl),
    await Deno.readTextFile(`${workDir}/.ptp-runner/runs/${runId}/journal.json`),
  ];
  for (const text of texts) {
    assert.ok(!text.includes("hunter2-secret"), text);
    assert.ok(!text.includes("tok-from-step-9876"));
    assert.ok(!text.includes("b3BlbnNzaC1rZXkt"));
    assert.ok(text.includes("***"));
  }
  const started = events.find((e) => e.type === "run-started");
  assert.deepEqual(
    started?.type === "run-started" && started.inputs,
    { password: "***", region: "us-east-1" },
  );
  const journal = await readJournal(workDir, runId);
  assert.equal(journal.inputs.password, "***");
  assert.equal(journal.inputs.region, "us-east-1");
  const lines = (await Deno.readTextFile(jsonl)).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].type, "run-started");
  assert.equal(lines.at(-1).type, "run-finished");
  assert.equal(lines.length, events.length);
});

Deno.test("the redactor replaces private key blocks, even truncated ones, and nested strings", () => {
  const r = new Redactor();
  r.add("s3cr3t");
  assert.equal(r.redactText(`before\n${KEY}\nafter`), "before\n***\nafter");
  assert.equal(
    r.redactText("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA"),
    "***",
  );
  assert.deepEqual(r.redact({ a: ["x s3cr3t y", 3], b: { c: "s3cr3t" } }), {
    a: ["x *** y", 3],
    b: { c: "***" },
  });
  r.add("ab"); // short: masked only where it stands alone
  assert.equal(r.redactText("abc"), "abc");
});

Deno.test("a secret of 1-2 characters is masked where it stands alone, and the journal JSON stays valid", () => {
  const r = new Redactor();
  r.add("ab");
  r.add("1");
  r.add("");
  assert.equal(
    r.redactText("token is ab; tab, abc, ab1 and ok=1, 10, x1"),
    "token is ***; tab, abc, ab1 and ok=***, 10, x1",
  );
  assert.equal(r.redactText("token=ab."), "token=***.");
  const json = r.redactJson({ n: 1, text: "pin 1", list: ["ab", 11] });
  assert.deepEqual(JSON.parse(json), { n: 1, text: "pin ***", list: ["***", 11] });
});

Deno.test("redactJson equals stringifying the redacted copy, secrets with quotes included", () => {
  const redactor = new Redactor();
  redactor.add('pa"ss\\word');
  redactor.add("s3cr3t-token");
  const value = {
    a: 'x pa"ss\\word y',
    b: ["s3cr3t-token", 1, null],
    key: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----",
  };
  assert.equal(redactor.redactJson(value), JSON.stringify(redactor.redact(value)));
  assert.ok(!redactor.redactJson(value).includes("s3cr3t"));
  assert.ok(!redactor.redactJson(value).includes("b3Blbn"));
});

Deno.test("a secret is masked shell-quoted, URL-encoded and JSON-escaped too", () => {
  const secret = `pa'ss "w$rd x`;
  const redactor = new Redactor();
  redactor.add(secret);
  const quoted = `git clone 'https://u:pa'\\''ss "w$rd x@host/r.git'`;
  assert.equal(redactor.redactText(quoted), "git clone 'https://u:***@host/r.git'");
  const doubled = `echo "pa'ss \\"w\\$rd x"`;
  assert.equal(redactor.redactText(doubled), `echo "***"`);
  assert.equal(redactor.redactText(`?t=${encodeURIComponent(secret)}&x=1`), "?t=***&x=1");
  assert.equal(redactor.redactText(`?t=pa%27ss+%22w%24rd+x`), "?t=***");
  const nested = JSON.stringify({ body: JSON.stringify({ token: secret }) });
  assert.ok(!redactor.redactText(nested).includes("w$rd"), redactor.redactText(nested));
  assert.ok(!redactor.redactJson({ line: quoted }).includes("w$rd"));
});
