/**
 * A simulator with real simulated hosts and EC2/SSM clients for the Run
 * Command tests, plus small helpers (launch with an instance profile, wait
 * for the agent, poll an invocation to its end).
 * @module
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { SIM_CREDENTIALS, type SimulatorHandle, startSimulator } from "../../../sim/mod.ts";
import type { StartSimulatorOptions } from "../../../sim/mod.ts";

Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");

/** The AL2023 x86_64 AMI of the simulator. */
export const AMI = "ami-05e6f7a8b9c0d1e2f";

/** A running simulator with clients. */
export interface SsmFixture {
  sim: SimulatorHandle;
  ec2: EC2Client;
  ssm: SSMClient;
  /** Launches instances (default one c7i.large with the `ssm-core` profile); returns their ids. */
  launch(input?: Partial<RunInstancesCommandInput>): Promise<string[]>;
  /** Polls DescribeInstanceInformation until the instance shows `status` (simulated-time bounded). */
  waitForPing(instanceId: string, status: string): Promise<void>;
  /** Polls GetCommandInvocation until it shows `status` (tolerates InvocationDoesNotExist). */
  waitForStatus(commandId: string, instanceId: string, status: string): Promise<void>;
  /** Sends AWS-RunShellScript `commands` to one instance; returns the command id. */
  run(instanceId: string, commands: string[], extra?: Record<string, unknown>): Promise<string>;
  /** Polls GetCommandInvocation until a terminal status (tolerates InvocationDoesNotExist). */
  waitForResult(commandId: string, instanceId: string): Promise<GetCommandInvocationCommandOutput>;
  close(): Promise<void>;
}

const TERMINAL = ["Success", "Failed", "Cancelled", "TimedOut"];

/** Starts a fixture (speed 1000 unless given). */
export async function startSsmFixture(options: StartSimulatorOptions = {}): Promise<SsmFixture> {
  const sim = await startSimulator({ speed: 1000, ...options });
  const config = {
    endpoint: sim.endpoint,
    region: sim.region,
    credentials: { ...SIM_CREDENTIALS },
    maxAttempts: 1,
  };
  const ec2 = new EC2Client(config);
  const ssm = new SSMClient(config);
  const pause = () => new Promise((r) => setTimeout(r, 10));
  /** Bounded by simulated time: 2 simulated hours at most. */
  const until = async (done: () => Promise<boolean>, what: string) => {
    const limit = sim.clock.now() + 7200;
    while (sim.clock.now() < limit) {
      if (await done()) return;
      await pause();
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  return {
    sim,
    ec2,
    ssm,
    async launch(input = {}) {
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "c7i.large",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: sim.subnetId,
          KeyName: sim.keyPairName,
          IamInstanceProfile: { Name: "ssm-core" },
          ...input,
        }),
      );
      return out.Instances!.map((i) => i.InstanceId!);
    },
    waitForPing: (instanceId, status) =>
      until(async () => {
        const out = await ssm.send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: "InstanceIds", Values: [instanceId] }],
          }),
        );
        return out.InstanceInformationList?.[0]?.PingStatus === status;
      }, `${instanceId} ${status}`),
    waitForStatus: (commandId, instanceId, status) =>
      until(async () => {
        const out = await ssm.send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
        ).catch((e: Error) => {
          if (e.name === "InvocationDoesNotExist") return undefined;
          throw e;
        });
        return out?.Status === status;
      }, `${commandId} ${status}`),
    async run(instanceId, commands, extra = {}) {
      const out = await ssm.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [instanceId],
          Parameters: { commands },
          ...extra,
        }),
      );
      return out.Command!.CommandId!;
    },
    async waitForResult(commandId, instanceId) {
      let result: GetCommandInvocationCommandOutput | undefined;
      await until(async () => {
        try {
          result = await ssm.send(
            new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
          );
        } catch (e) {
          if ((e as Error).name === "InvocationDoesNotExist") return false;
          throw e;
        }
        return TERMINAL.includes(result.Status ?? "");
      }, `the result of ${commandId}`);
      return result!;
    },
    async close() {
      ec2.destroy();
      ssm.destroy();
      await sim.stop();
    },
  };
}

/** DescribeInstances of one instance. */
export async function describeInstance(ec2: EC2Client, instanceId: string) {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations![0].Instances![0];
}
