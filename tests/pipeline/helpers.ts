/**
 * Helpers for the pipeline loader tests: temporary pipeline files and a
 * registry of the test plugins (`tests/fixtures/plugins`).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ValidationError, type ValidationIssue } from "../../runner/errors.ts";
import { loadPipeline } from "../../runner/pipeline/load.ts";
import type { Pipeline } from "../../runner/pipeline/model.ts";
import { StepRegistry } from "../../runner/registry.ts";
import { plugin as emit } from "../fixtures/plugins/emit.ts";
import noop from "../fixtures/plugins/noop.ts";
import { tempDir } from "../helpers/temp.ts";

/** A registry with the `noop` (target) and `emit` (pipeline) test steps as built-ins. */
export function testRegistry(): StepRegistry {
  return new StepRegistry([noop, emit]);
}

/** Writes `text` to `name` in a new temporary directory; returns the file path. */
export async function writeTemp(text: string, name = "pipeline.yaml"): Promise<string> {
  const dir = await tempDir("ptp-runner-test-");
  const file = join(dir, name);
  await Deno.writeTextFile(file, text);
  return file;
}

/** Loads a pipeline written from `text` with the test registry. */
export async function loadText(text: string): Promise<Pipeline> {
  return loadPipeline(await writeTemp(text), testRegistry(), { displayPath: "p.yaml" });
}

/** Runs `fn`, asserts it throws a ValidationError, and returns its issues. */
export async function issuesOf(fn: () => Promise<unknown> | unknown): Promise<ValidationIssue[]> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  assert.fail("expected a ValidationError");
}

/** Loads `text` and returns the validation issues (fails when it loads). */
export function loadIssues(text: string): Promise<ValidationIssue[]> {
  return issuesOf(() => loadText(text));
}

/** Finds the one issue with `key`, failing with the full list when absent. */
export function issueAt(issues: ValidationIssue[], key: string): ValidationIssue {
  const found = issues.filter((issue) => issue.key === key);
  assert.equal(found.length, 1, `one issue at ${key}, got:\n${JSON.stringify(issues, null, 2)}`);
  return found[0];
}
