/**
 * `deno task bench`: prints the project's performance figures. Benchmarks
 * never fail on a timing; targets are printed next to the figures.
 * @module
 */
import { runnerOverhead } from "./runner-overhead.ts";
import { modulesLoaded, startupFigures } from "./startup.ts";

const largest = await largestPipeline();
console.log("# runner");
const perStepTarget = await runnerOverhead(100, 200);
console.log(
  `runner overhead: ${(perStepTarget * 1000).toFixed(1)} µs per step-target ` +
    `(200 no-op target steps x 100 targets, concurrency 100; target < 1000 µs)`,
);

console.log("\n# start-up (medians of interleaved whole-process runs, deno run -P=cli)");
const startup = await startupFigures(largest);
const ratio = startup.validateMs / startup.evalMs;
console.log(
  `validate ${largest}: ${startup.validateMs.toFixed(0)} ms; ` +
    `deno eval 0: ${startup.evalMs.toFixed(0)} ms; ratio ${ratio.toFixed(2)} (target <= 3)`,
);
console.log(
  `startup: validate ${startup.validateMs.toFixed(0)} ms, help ${startup.helpMs.toFixed(0)} ms, ` +
    `deno eval 0 ${startup.evalMs.toFixed(0)} ms, ratio validate/eval ${ratio.toFixed(2)}`,
);
console.log(
  `startup: ratio help/eval ${(startup.helpMs / startup.evalMs).toFixed(2)} ` +
    `(${startup.runs} runs each; target <= 3, stretch 2)`,
);
console.log(
  `startup: floor (zod and yaml imported, pipeline parsed once) ${
    startup.floorMs.toFixed(0)
  } ms, ` +
    `ratio floor/eval ${(startup.floorMs / startup.evalMs).toFixed(2)}`,
);
const modules = await modulesLoaded(["validate", largest]);
console.log(
  modules
    ? `startup: validate loads ${modules.total} modules (${modules.project} project, ` +
      `${modules.npm} npm, ${modules.builtin} Deno built-in)`
    : "startup: validate loads ? modules (Deno's debug log no longer names them)",
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

console.log("\n# simulated fleet (pipelines/ptp.yaml, concurrency 8, simulator speed 50)");
const { runFleet } = await import("./fleet.ts");
const figures = [];
for (const k of [1, 8, 32]) {
  const f = await runFleet(k);
  figures.push(f);
  console.log(
    `K=${String(k).padStart(3)}: exit ${f.exitCode}, wall ${f.wallSeconds.toFixed(1)} s, ` +
      `EC2 calls ${f.ec2Calls} (DescribeInstances ${f.describeInstancesCalls}), ` +
      `peak RSS ${f.peakRssMiB?.toFixed(0) ?? "?"} MiB`,
  );
}
const [k1, k8] = figures;
console.log(
  `wall time ratio K=8 / K=1: ${(k8.wallSeconds / k1.wallSeconds).toFixed(2)} (target <= 1.3); ` +
    `DescribeInstances K=1 ${k1.describeInstancesCalls}, K=8 ${k8.describeInstancesCalls}, ` +
    `K=32 ${figures[2].describeInstancesCalls} (target: polling does not grow with K)`,
);
const f100 = await runFleet(100);
console.log(
  `K=100: exit ${f100.exitCode}, wall ${f100.wallSeconds.toFixed(1)} s, ` +
    `peak RSS ${f100.peakRssMiB?.toFixed(0) ?? "?"} MiB (target < 300 MB)`,
);
const f300 = await runFleet(300);
console.log(
  `K=300: exit ${f300.exitCode}, wall ${f300.wallSeconds.toFixed(1)} s, ` +
    `peak RSS ${f300.peakRssMiB?.toFixed(0) ?? "?"} MiB`,
);
// A run that did not finish well measured nothing worth a figure.
const mib = (f: { peakRssMiB: number | null; exitCode: number }) =>
  f.exitCode === 0 ? f.peakRssMiB?.toFixed(0) ?? "?" : `? (exit ${f.exitCode})`;
console.log(`rss: K=100 ${mib(f100)} MiB, K=300 ${mib(f300)} MiB`);
console.log("(targets: K=100 < 200 MB, K=300 < 300 MB)");

const { MIXED_FLEET, PAY_SPEED, payFigures } = await import("./pay.ts");
console.log(
  `\n# pay only for what is needed (${MIXED_FLEET}, allow_unsupported, ` +
    `simulator speed ${PAY_SPEED}; simulated seconds)`,
);
const pay = await payFigures();
console.log(
  `instance-seconds: billed ${pay.billedSeconds.toFixed(0)}, needed ${
    pay.neededSeconds.toFixed(0)
  }, ratio ${(pay.billedSeconds / pay.neededSeconds).toFixed(3)}`,
);
console.log(
  `connect: running->session median ${pay.runningToSessionMedian.toFixed(1)} s, ` +
    `sshd-ready->session median ${pay.sshdReadyToSessionMedian.toFixed(1)} s`,
);
console.log(
  `(targets: ratio <= 1.05, sshd-ready->session <= 2 s; mixed fleet exit ${pay.fleet.exitCode}, ` +
    `wall ${pay.fleet.wallSeconds.toFixed(1)} s)`,
);

const { FLEET_TRANSPORTS, formatExistingFleet, formatExistingFleetDetail, runExistingFleet } =
  await import(
    "./existing-fleet.ts"
  );
console.log(
  "\n# fleet of existing instances (pipelines/existing-hosts.yaml, 1000 instances selected by tag " +
    "in 2 regions, batch 10%, simulator speed 200)",
);
for (const transport of FLEET_TRANSPORTS) {
  const f = await runExistingFleet({ instances: 1000, transport });
  console.log(formatExistingFleet(f));
  console.log(formatExistingFleetDetail(f));
}
