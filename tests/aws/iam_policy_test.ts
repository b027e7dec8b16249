import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import launch, { LaunchInputSchema } from "../../steps/launch.ts";
import cleanup from "../../steps/cleanup.ts";
import { sweepCommand } from "../../plugins/aws/release/sweep.ts";
import { setupSim } from "./helpers/sim-setup.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function policyActions(): Promise<Set<string>> {
  const policy = JSON.parse(await Deno.readTextFile(`${root}docs/iam-policy.json`)) as {
    Statement: { Effect: string; Action: string[] }[];
  };
  return new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action));
}

/** `service:Action` of every SDK command the production code constructs or paginates. */
async function actionsInCode(): Promise<Set<string>> {
  const found = new Set<string>();
  const service = (file: string, name: string) => {
    if (name === "GetCallerIdentity") return "sts";
    if (name === "GetParameter" || name === "GetParameters") return "ssm";
    return file.includes("ssm") ? "ssm" : "ec2";
  };
  for (const dir of ["plugins", "steps", "cli", "runner"]) {
    for await (const entry of walk(`${root}${dir}`)) {
      const text = await Deno.readTextFile(entry);
      for (const m of text.matchAll(/new ([A-Z][A-Za-z]+)Command\(|paginate([A-Z][A-Za-z]+)\(/g)) {
        const name = m[1] ?? m[2];
        // Relative: the checkout's own directory name may contain "ssm".
        found.add(`${service(entry.slice(root.length), name)}:${name}`);
      }
    }
  }
  return found;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

/**
 * Actions EC2 checks on the caller's behalf and no SDK command names:
 * RunInstances with an `IamInstanceProfile` needs `iam:PassRole` on its role.
 */
const IMPLIED_ACTIONS = ["iam:PassRole"];

Deno.test("docs/iam-policy.json allows exactly the AWS actions the code calls", async () => {
  const policy = await policyActions();
  const code = await actionsInCode();
  assert.deepEqual([...policy].sort(), [...code, ...IMPLIED_ACTIONS].sort());
});

Deno.test("every AWS action a launch, dry run, cleanup and sweep send to the simulator is in docs/iam-policy.json", async () => {
  const setup = await setupSim();
  try {
    const input = LaunchInputSchema.parse({
      ...setup.sim.defaultInputs,
      placement_group: undefined,
      create_placement_group: true,
      instance_types: ["c7i.large:2", "c7g.large"],
    });
    const dry = setup.context({ id: "launch", type: "launch" }, { dryRun: true });
    await launch.run(dry, input, new AbortController().signal);
    const ctx = setup.context({ id: "launch", type: "launch" });
    await launch.run(ctx, input, new AbortController().signal);
    const cctx = setup.context({ id: "cleanup", type: "cleanup" }, { keep: "none" }, {
      targets: [...ctx.targets],
    });
    for (const r of ctx.journal.resources()) await cctx.journal.recordResource(r);
    await cleanup.run(cctx, cleanup.input.parse({}), new AbortController().signal);
    await sweepCommand({
      yes: true,
      region: "us-east-1",
      endpoint: setup.sim.endpoint,
      timeScale: setup.sim.timeScale,
      print: () => {},
    });
    const policy = await policyActions();
    const sent = new Set(setup.sim.requests().map((r) => `${r.service}:${r.action}`));
    const missing = [...sent].filter((a) => !policy.has(a));
    assert.deepEqual(missing, []);
    for (
      const a of [
        "ec2:RunInstances",
        "ec2:TerminateInstances",
        "ec2:CreatePlacementGroup",
        "ssm:GetParameter",
      ]
    ) {
      assert.ok(sent.has(a), `${a} was exercised`);
    }
  } finally {
    await setup.stop();
  }
});
