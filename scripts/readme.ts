/**
 * Keeps the generated parts of README.md current: the step reference (from
 * the step plugins' zod schemas) and the minimum IAM policy (from
 * `docs/iam-policy.json`). Each lives between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` markers.
 *
 * `deno task readme` rewrites them; `tests/docs/readme_test.ts` fails when
 * they are stale.
 * @module
 */
import { builtinSteps } from "../steps/mod.ts";
import { describeStep, renderSteps } from "../cli/steps-action.ts";

const root = new URL("../", import.meta.url);

/** The generated sections by marker name. */
export async function generatedSections(): Promise<Record<string, string>> {
  const steps = renderSteps(builtinSteps.map(describeStep));
  const policy = await Deno.readTextFile(new URL("docs/iam-policy.json", root));
  return {
    steps: "```text\n" + steps.trimEnd() + "\n```",
    "iam-policy": "```json\n" + policy.trimEnd() + "\n```",
  };
}

/**
 * Replaces every marked section of `readme` with the generated text.
 * @throws Error naming the marker when a section's markers are missing
 */
export function applySections(readme: string, sections: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) {
      throw new Error(`README.md lacks the ${open} ... ${close} markers`);
    }
    out = out.slice(0, start + open.length) + "\n\n" + body + "\n\n" + out.slice(end);
  }
  return out;
}

if (import.meta.main) {
  const file = new URL("README.md", root);
  const current = await Deno.readTextFile(file);
  const next = applySections(current, await generatedSections());
  if (Deno.args.includes("--check")) {
    if (next !== current) {
      console.error("README.md is stale: run `deno task readme`");
      Deno.exit(1);
    }
  } else if (next !== current) {
    await Deno.writeTextFile(file, next);
    console.log("README.md updated");
  }
}
