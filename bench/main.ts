/**
 * `deno task bench`: prints the project's performance figures. Benchmarks
 * never fail on a timing; targets are printed next to the figures.
 * @module
 */
import { runnerOverhead, validateVersusEval } from "./runner-overhead.ts";

const largest = await largestPipeline();
console.log("# runner");
const perStepTarget = await runnerOverhead(100, 200);
console.log(
  `runner overhead: ${(perStepTarget * 1000).toFixed(1)} µs per step-target ` +
    `(200 no-op target steps x 100 targets, concurrency 100; target < 1000 µs)`,
);
const { validateMs, evalMs } = await validateVersusEval(largest);
console.log(
  `validate ${largest}: ${validateMs.toFixed(0)} ms; deno eval 0: ${evalMs.toFixed(0)} ms; ` +
    `ratio ${(validateMs / evalMs).toFixed(2)} (target <= 3)`,
);

/** The shipped pipeline with the most lines. */
async function largestPipeline(): Promise<string> {
  let best = { file: "pipelines/ptp.yaml", lines: 0 };
  for await (const entry of Deno.readDir("pipelines")) {
    if (!entry.isFile || !entry.name.endsWith(".yaml")) continue;
    const file = `pipelines/${entry.name}`;
    const lines = (await Deno.readTextFile(file)).split("\n").length;
    if (lines > best.lines) best = { file, lines };
  }
  return best.file;
}
