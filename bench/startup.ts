/**
 * Benchmark: the CLI's start-up. Wall time of whole `deno run` processes
 * (`validate <pipeline>`, `--help`) next to `deno eval 0`, and the number of
 * modules `validate` loads. Prints figures; never fails on a timing.
 *
 * Where the time goes (issue 14, item 3), measured on the 2-core machine
 * while other jobs ran (load 1-10: compare ratios, not milliseconds):
 *
 * | `deno run -P=cli main.ts ...` | before | after |
 * | --- | --- | --- |
 * | `validate`, ratio to `deno eval 0` (wall, medians) | 13.9 (load 1); 14-20 (load 4-10) | 4.1-5.9 (load 4-10) |
 * | `validate`, CPU time | ~0.41 s | ~0.13 s (`deno eval 0`: ~0.023 s) |
 * | `--help`, ratio to `deno eval 0` | 1.6-2.7 | 1.8-2.9 (unchanged: commander) |
 * | modules `validate` loads | 602 (189 Deno built-in) | 252 (94 zod, 73 yaml, 84 project, 0 built-in) |
 * | modules `steps` / `schema` load | 517 / 515 | 162 / 161 |
 *
 * What was cut:
 * - the step definitions had pulled in the AWS SDK (a constant imported from
 *   the launch abort code), `diff`, the report writer and, through the
 *   discover output's colours, picocolors, whose CommonJS `require` sets up
 *   Node's module loader (~60 ms alone): each now loads in the step's `run`
 * - commander and its Node built-ins (`node:fs`, `node:child_process`,
 *   `node:process`, `node:events`): `validate`, `steps` and `schema` with
 *   plain arguments take `cli/quick.ts` (type-flag), everything else goes
 *   through commander as before
 * - every other `node:` import on the path (`node:util`, `node:path`,
 *   `node:url`): the first one loads Deno's Node compatibility layer, ~12 ms
 *   of CPU, about half of `deno eval 0`
 * - zod's JIT (`new Function` per object schema, not in V8's code cache) for
 *   the one-off parses of validation (`jitless`)
 *
 * What remains, and why the 3x target is out of reach with these libraries
 * (measured on an idle machine, `deno eval 0` ~21 ms, `validate` ~104 ms):
 * - the floor: importing zod and yaml and parsing the pipeline once
 *   (bench/startup-floor.ts, printed by the bench) costs ~55 ms, 2.6x
 *   `deno eval 0`, before any of the project's own work; 3x leaves ~8 ms
 * - 894 zod schemas are built when the step definitions and the pipeline
 *   schema load (~13 µs each once warm, more cold): `.optional()`,
 *   `.describe()` and `.default()` each build one, and zod 4's classic API
 *   binds its methods per instance (`zod/mini` builds ~3x faster but loads
 *   as much and would change every schema)
 * - `loadPipeline` on a warm process still takes 9-11 ms (YAML with
 *   positions ~5 ms, zod parses of the pipeline and of each `with:`,
 *   expression checks); the first call ~35 ms, the rest is code compiled on
 *   first call: Deno's code cache holds what is compiled when a module loads,
 *   not the functions compiled lazily later
 * - V8 flags, swept on this command: `--no-lazy`, `--no-opt`,
 *   `--no-sparkplug`, `--no-lazy-feedback-allocation`, `--max-lazy`,
 *   `--single-threaded` and the `cli` task's own flags: within noise of none
 * - bundling (`deno bundle --code-splitting --minify`, ssh2 external, the
 *   bundler's `node:module` preamble removed by hand): the quick path in 11
 *   modules instead of 256 ran at 0.71x of the unbundled time in paired runs,
 *   ~3.5x `deno eval 0`; zod and yaml bundled alone bring the floor to ~2.1x.
 *   Shipping that needs a build step whose output the tasks run, which the
 *   project does not have (the `compile` task takes main.ts as it is)
 * @module
 */
/** Project root (the directory holding deno.json). */
const ROOT = new URL("..", import.meta.url).pathname;

/** `deno run` with the permissions of the `cli` task (deno.json `permissions.cli`). */
const CLI = ["run", "-P=cli", "main.ts"];

/** Start-up figures, in milliseconds (medians). */
export interface StartupFigures {
  /** `ptp-runner validate <pipeline>`. */
  validateMs: number;
  /** `ptp-runner --help`. */
  helpMs: number;
  /** `deno eval 0`: the runtime's own start-up. */
  evalMs: number;
  /**
   * bench/startup-floor.ts: zod and yaml imported, the pipeline parsed once;
   * the least `validate` can cost with these libraries.
   */
  floorMs: number;
  /** Runs of each command the medians are taken over. */
  runs: number;
}

/** Runs `deno <args>` from the project root; returns its wall time in ms. */
async function timeCommand(args: string[], env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times `validate <pipelineFile>`, `--help`, `deno eval 0` and the floor
 * (bench/startup-floor.ts), interleaved
 * (the order rotates each round, after one warm-up round that fills the
 * module and code caches).
 * @param pipelineFile pipeline path relative to the project root
 * @param runs rounds (each command runs once per round); at least 7
 * @throws Error when a command exits non-zero
 */
export async function startupFigures(pipelineFile: string, runs = 9): Promise<StartupFigures> {
  const commands: Record<"validate" | "help" | "eval" | "floor", string[]> = {
    validate: [...CLI, "validate", pipelineFile],
    help: [...CLI, "--help"],
    eval: ["eval", "0"],
    floor: ["run", "-P=cli", "bench/startup-floor.ts", pipelineFile],
  };
  const names = Object.keys(commands) as (keyof typeof commands)[];
  const times: Record<keyof typeof commands, number[]> = {
    validate: [],
    help: [],
    eval: [],
    floor: [],
  };
  for (const name of names) await timeCommand(commands[name]);
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      times[name].push(await timeCommand(commands[name]));
    }
  }
  return {
    validateMs: median(times.validate),
    helpMs: median(times.help),
    evalMs: median(times.eval),
    floorMs: median(times.floor),
    runs,
  };
}

/** Modules a CLI run loaded, by origin. */
export interface ModuleCount {
  /** Every module (project, npm and Deno's lazily loaded built-ins such as `node:fs`). */
  total: number;
  /** The project's own files. */
  project: number;
  /** Files of npm packages. */
  npm: number;
  /** Deno's built-in modules loaded on demand (`ext:`, mostly the `node:` polyfills). */
  builtin: number;
}

/**
 * Counts the modules `deno run -P=cli main.ts <args>` loads, from Deno's
 * debug log (one "V8 code cache" line per module compiled: ES modules and
 * CommonJS scripts alike). Modules in Deno's start-up snapshot are not
 * counted (`deno eval 0` loads none).
 * @param args CLI arguments, e.g. `["validate", "pipelines/ptp.yaml"]`
 * @returns the counts, or undefined when the log has no such line (a Deno
 *   whose log wording changed)
 */
export async function modulesLoaded(args: string[]): Promise<ModuleCount | undefined> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...CLI, ...args],
    cwd: ROOT,
    env: { DENO_LOG: "debug", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  const specifiers = new Set(
    [...log.matchAll(/V8 code cache \w+ for [^:]+: (\S+?),? \[/g)].map((m) => m[1]),
  );
  if (specifiers.size === 0) return undefined;
  const all = [...specifiers];
  const root = new URL("..", import.meta.url).href;
  const project = all.filter((s) => s.startsWith(root)).length;
  const builtin = all.filter((s) => !s.startsWith("file:")).length;
  return { total: all.length, project, npm: all.length - project - builtin, builtin };
}
