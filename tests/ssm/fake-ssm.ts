/**
 * A scripted SSM Run Command service for unit tests of plugins/ssm, on
 * aws-sdk-client-mock: SendCommand records the script and answers a
 * CommandId; GetCommandInvocation answers `InProgress` for a scripted number
 * of polls, then the scripted result; CancelCommand makes the next poll
 * `Cancelled`; DescribeInstanceInformation answers scripted ping statuses (the same for every id asked about);
 * any call may be scripted to throw `ThrottlingException` first. Not a test file.
 * @module
 */
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";

/** What a scripted command ends with. */
export interface FakeResult {
  status?: "Success" | "Failed" | "TimedOut" | "Cancelled";
  statusDetails?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** GetCommandInvocation calls answered `InProgress` first (default 1). */
  pollsBeforeDone?: number;
  /** GetCommandInvocation calls answered `InvocationDoesNotExist` first (default 0). */
  missingPolls?: number;
  /** Called at each GetCommandInvocation with its 1-based number (e.g. to abort mid-command). */
  onPoll?: (poll: number) => void;
}

/** One command the fake received. */
export interface FakeInvocation {
  commandId: string;
  instanceId: string;
  documentName: string;
  script: string;
  timeoutSeconds?: number;
  result: FakeResult;
  polls: number;
  cancelled: boolean;
}

function awsError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 400 } });
}

/** The fake service; `answer` decides each command's result from its script. */
export class FakeSsm {
  readonly mock = mockClient(SSMClient);
  readonly client = new SSMClient({ region: "us-east-1" });
  readonly invocations: FakeInvocation[] = [];
  /** Ping statuses DescribeInstanceInformation answers in turn (the last one repeats); `absent`: not listed. */
  pings: ("Online" | "ConnectionLost" | "absent")[] = ["Online"];
  /** Throttles to throw before answering, per operation. */
  throttles: Record<string, number> = {};
  /** Calls per operation. */
  readonly calls: Record<string, number> = {};
  #pingIndex = 0;

  constructor(answer: (script: string) => FakeResult) {
    const throttled = (operation: string) => {
      this.calls[operation] = (this.calls[operation] ?? 0) + 1;
      if ((this.throttles[operation] ?? 0) > 0) {
        this.throttles[operation]--;
        throw awsError("ThrottlingException", "Rate exceeded");
      }
    };
    this.mock.on(SendCommandCommand).callsFake((input) => {
      throttled("SendCommand");
      const script = (input.Parameters?.commands ?? []).join("\n");
      const invocation: FakeInvocation = {
        commandId: crypto.randomUUID(),
        instanceId: input.InstanceIds?.[0] ?? "",
        documentName: input.DocumentName,
        script,
        timeoutSeconds: input.TimeoutSeconds,
        result: answer(script),
        polls: 0,
        cancelled: false,
      };
      this.invocations.push(invocation);
      return { Command: { CommandId: invocation.commandId, Status: "Pending" } };
    });
    this.mock.on(GetCommandInvocationCommand).callsFake((input) => {
      throttled("GetCommandInvocation");
      const inv = this.invocations.find((i) =>
        i.commandId === input.CommandId && i.instanceId === input.InstanceId
      );
      if (!inv) throw awsError("InvocationDoesNotExist", "");
      inv.polls++;
      inv.result.onPoll?.(inv.polls);
      if (inv.polls <= (inv.result.missingPolls ?? 0)) throw awsError("InvocationDoesNotExist", "");
      const base = { CommandId: inv.commandId, InstanceId: inv.instanceId };
      if (inv.cancelled) {
        return { ...base, Status: "Cancelled", StatusDetails: "Cancelled", ResponseCode: -1 };
      }
      const waiting = (inv.result.missingPolls ?? 0) + (inv.result.pollsBeforeDone ?? 1);
      if (inv.polls <= waiting) {
        return { ...base, Status: "InProgress", StatusDetails: "InProgress", ResponseCode: -1 };
      }
      const r = inv.result;
      const status = r.status ?? ((r.exitCode ?? 0) === 0 ? "Success" : "Failed");
      return {
        ...base,
        Status: status,
        StatusDetails: r.statusDetails ?? status,
        ResponseCode: r.exitCode ?? (status === "Success" ? 0 : -1),
        StandardOutputContent: r.stdout ?? "",
        StandardErrorContent: r.stderr ?? "",
      };
    });
    this.mock.on(CancelCommandCommand).callsFake((input) => {
      throttled("CancelCommand");
      for (const inv of this.invocations) {
        if (inv.commandId === input.CommandId) inv.cancelled = true;
      }
      return {};
    });
    this.mock.on(DescribeInstanceInformationCommand).callsFake((input) => {
      throttled("DescribeInstanceInformation");
      const ids: string[] = input.Filters?.find((f: { Key: string }) => f.Key === "InstanceIds")
        ?.Values ?? [];
      const ping = this.pings[Math.min(this.#pingIndex++, this.pings.length - 1)];
      if (ping === "absent") return { InstanceInformationList: [] };
      return {
        InstanceInformationList: ids.map((id) => ({
          InstanceId: id,
          PingStatus: ping,
          AgentVersion: "3.3.1000.0",
          PlatformName: "Amazon Linux",
          PlatformVersion: "2023",
        })),
      };
    });
  }

  /** Stops mocking. */
  restore(): void {
    this.mock.restore();
  }
}
