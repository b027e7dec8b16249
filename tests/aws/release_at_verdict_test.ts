import assert from "node:assert/strict";
import { mayKeep } from "../../plugins/aws/release/release-at-verdict.ts";
import { parseKeepPolicy } from "../../plugins/aws/release/keep-policy.ts";

const batch = { interactive: false, yes: true, interrupted: false };
const prompt = { interactive: true, yes: false, interrupted: false };
const functional = { instanceId: "i-0aaa", verdict: "functional" as const };
const unsupported = { instanceId: "i-0bbb", verdict: "unsupported" as const };

Deno.test("mayKeep: none keeps nothing, all keeps everything, functional only functional", () => {
  assert.equal(mayKeep(parseKeepPolicy("none"), functional, prompt), false);
  assert.equal(mayKeep(parseKeepPolicy("all"), unsupported, batch), true);
  assert.equal(mayKeep(parseKeepPolicy("functional"), functional, batch), true);
  assert.equal(mayKeep(parseKeepPolicy("functional"), unsupported, batch), false);
});

Deno.test("mayKeep: listed ids whatever the verdict, others not", () => {
  const policy = parseKeepPolicy("i-0bbb");
  assert.equal(mayKeep(policy, unsupported, batch), true);
  assert.equal(mayKeep(policy, functional, batch), false);
});

Deno.test("mayKeep: no --keep keeps functional ones only when the question will be asked", () => {
  const ask = parseKeepPolicy(undefined);
  assert.equal(mayKeep(ask, functional, prompt), true);
  assert.equal(mayKeep(ask, unsupported, prompt), false);
  assert.equal(mayKeep(ask, functional, batch), false, "--yes: nothing is asked");
  assert.equal(mayKeep(ask, functional, { ...prompt, interrupted: true }), false);
  assert.equal(mayKeep(ask, functional, { ...prompt, interactive: false, yes: false }), false);
});
