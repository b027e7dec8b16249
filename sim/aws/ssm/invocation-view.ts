/**
 * JSON shapes of Run Command results as the SSM API returns them:
 * `GetCommandInvocation`'s result, `CommandInvocation` (with `CommandPlugins`
 * when `Details`) and `Command`.
 *
 * Output limits: GetCommandInvocation returns the first 24,000 characters of
 * stdout and 8,000 of stderr; the agent cuts longer output and ends it with
 * `--output truncated--` (within the limit). A plugin's `Output` in
 * ListCommandInvocations is at most 2,500 characters: stdout, then
 * `\n----------ERROR-------\n` and stderr, each cut part ending in
 * `\n---Output truncated---` / `\n---Error truncated----`.
 * Sources: SSM API Reference (GetCommandInvocation `StandardOutputContent`,
 * `StandardErrorContent`; CommandPlugin `Output`); amazon-ssm-agent
 * (`MaxStdoutLength = 24000`, `MaxStderrLength = 8000`, the truncation
 * markers).
 * @module
 */
import type { SimCommand, SimInvocation } from "../../state/ssm-command.ts";
import { type SimCore, simDate } from "../context.ts";

/** Characters of stdout GetCommandInvocation returns. */
export const STDOUT_LIMIT = 24_000;
/** Characters of stderr GetCommandInvocation returns. */
export const STDERR_LIMIT = 8_000;
/** What the agent ends cut output with (inside the limit). */
export const TRUNCATED_SUFFIX = "--output truncated--";
/** Characters of a plugin's combined `Output` in ListCommandInvocations. */
export const PLUGIN_OUTPUT_LIMIT = 2_500;

/** The plugin every AWS-RunShellScript invocation runs. */
export const RUN_SHELL_SCRIPT_PLUGIN = "aws:runShellScript";

/** `text` cut to `limit` characters, ending in {@link TRUNCATED_SUFFIX} when cut. */
export function truncateOutput(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return text.slice(0, limit - TRUNCATED_SUFFIX.length) + TRUNCATED_SUFFIX;
}

/** A plugin's combined `Output` (stdout, error separator, stderr) within `capacity` characters. */
export function pluginOutput(
  stdout: string,
  stderr: string,
  capacity = PLUGIN_OUTPUT_LIMIT,
): string {
  const outMark = "\n---Output truncated---";
  const errMark = "\n---Error truncated----";
  const errHeader = "\n----------ERROR-------\n";
  const budget = stderr ? Math.floor(capacity / 2) : capacity;
  let out = stdout;
  if (out.length > (stderr ? budget : capacity)) {
    out = out.slice(0, (stderr ? budget : capacity) - outMark.length) + outMark;
  }
  if (!stderr) return out;
  let err = stderr;
  const room = capacity - out.length - errHeader.length;
  if (err.length > room) err = err.slice(0, Math.max(0, room - errMark.length)) + errMark;
  return out + errHeader + err;
}

/** Epoch seconds (awsJson timestamps) of a simulated time. */
export function epochSeconds(core: SimCore, simSeconds: number): number {
  return simDate(core, simSeconds).getTime() / 1000;
}

function isoOrEmpty(core: SimCore, simSeconds: number | undefined): string {
  return simSeconds === undefined ? "" : simDate(core, simSeconds).toISOString();
}

/** ISO 8601 duration (`PT1.234S`) between two simulated times. */
function elapsed(start: number | undefined, end: number | undefined, now: number): string {
  if (start === undefined) return "";
  return `PT${Math.max(0, (end ?? now) - start).toFixed(3)}S`;
}

const CLOUD_WATCH_OFF = { CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false };

/** The result of GetCommandInvocation. */
export function getCommandInvocationJson(
  core: SimCore,
  command: SimCommand,
  inv: SimInvocation,
  now: number,
): Record<string, unknown> {
  const finished = inv.endedAt !== undefined;
  return {
    CommandId: command.commandId,
    InstanceId: inv.instanceId,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    PluginName: RUN_SHELL_SCRIPT_PLUGIN,
    ResponseCode: inv.responseCode,
    ExecutionStartDateTime: isoOrEmpty(core, inv.startedAt),
    ExecutionElapsedTime: elapsed(inv.startedAt, inv.endedAt, now),
    ExecutionEndDateTime: isoOrEmpty(core, inv.endedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    StandardOutputContent: finished ? truncateOutput(inv.stdout, STDOUT_LIMIT) : "",
    StandardOutputUrl: "",
    StandardErrorContent: finished ? truncateOutput(inv.stderr, STDERR_LIMIT) : "",
    StandardErrorUrl: "",
    CloudWatchOutputConfig: CLOUD_WATCH_OFF,
  };
}

/** Plugin status: the invocation's, except `Cancelling`/`Delayed`, which plugins do not have. */
function pluginStatus(inv: SimInvocation): string {
  if (inv.status === "Cancelling") return "InProgress";
  if (inv.status === "Delayed") return "Pending";
  return inv.status;
}

/** One `CommandInvocation` of ListCommandInvocations (`CommandPlugins` only with `details`). */
export function commandInvocationJson(
  core: SimCore,
  region: string,
  command: SimCommand,
  inv: SimInvocation,
  details: boolean,
): Record<string, unknown> {
  const finished = inv.endedAt !== undefined;
  return {
    CommandId: command.commandId,
    InstanceId: inv.instanceId,
    InstanceName: "",
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    RequestedDateTime: epochSeconds(core, inv.requestedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    TraceOutput: "",
    StandardOutputUrl: "",
    StandardErrorUrl: "",
    CommandPlugins: details
      ? [{
        Name: RUN_SHELL_SCRIPT_PLUGIN,
        Status: pluginStatus(inv),
        StatusDetails: inv.statusDetails === "Cancelling" ? "InProgress" : inv.statusDetails,
        ResponseCode: inv.responseCode,
        ...(inv.startedAt === undefined
          ? {}
          : { ResponseStartDateTime: epochSeconds(core, inv.startedAt) }),
        ...(inv.endedAt === undefined
          ? {}
          : { ResponseFinishDateTime: epochSeconds(core, inv.endedAt) }),
        Output: finished ? pluginOutput(inv.stdout, inv.stderr) : "",
        StandardOutputUrl: "",
        StandardErrorUrl: "",
        OutputS3Region: region,
        OutputS3BucketName: "",
        OutputS3KeyPrefix: "",
      }]
      : [],
    ServiceRole: "",
    NotificationConfig: { NotificationArn: "", NotificationEvents: [], NotificationType: "" },
    CloudWatchOutputConfig: CLOUD_WATCH_OFF,
  };
}

/** The command's overall status from its invocations (SSM "Understanding command statuses"). */
export function commandStatus(command: SimCommand): { status: string; details: string } {
  const all = [...command.invocations.values()];
  if (all.length === 0) return { status: "Success", details: "Success" };
  if (all.some((i) => i.status === "Cancelling")) {
    return { status: "Cancelling", details: "Cancelling" };
  }
  const done = all.filter((i) => i.endedAt !== undefined || isTerminal(i));
  if (done.length < all.length) {
    return all.some((i) => i.status !== "Pending")
      ? { status: "InProgress", details: "InProgress" }
      : { status: "Pending", details: "Pending" };
  }
  if (all.every((i) => i.status === "Success")) return { status: "Success", details: "Success" };
  if (all.some((i) => i.status === "Cancelled")) {
    return { status: "Cancelled", details: "Cancelled" };
  }
  if (all.some((i) => i.statusDetails === "ExecutionTimedOut")) {
    return { status: "TimedOut", details: "ExecutionTimedOut" };
  }
  if (all.some((i) => i.status === "Failed")) return { status: "Failed", details: "Failed" };
  return { status: "TimedOut", details: "DeliveryTimedOut" };
}

function isTerminal(inv: SimInvocation): boolean {
  return ["Success", "Cancelled", "TimedOut", "Failed"].includes(inv.status);
}

/** The `Command` of SendCommand's result. */
export function commandJson(
  core: SimCore,
  region: string,
  command: SimCommand,
): Record<string, unknown> {
  const all = [...command.invocations.values()];
  const { status, details } = commandStatus(command);
  return {
    CommandId: command.commandId,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    Comment: command.comment,
    ExpiresAfter: epochSeconds(
      core,
      command.requestedAt + command.timeoutSeconds + command.executionTimeoutSeconds,
    ),
    Parameters: command.parameters,
    InstanceIds: command.instanceIds,
    Targets: command.targets,
    RequestedDateTime: epochSeconds(core, command.requestedAt),
    Status: status,
    StatusDetails: details,
    OutputS3Region: region,
    OutputS3BucketName: "",
    OutputS3KeyPrefix: "",
    MaxConcurrency: command.maxConcurrency,
    MaxErrors: command.maxErrors,
    TargetCount: all.length,
    CompletedCount: all.filter(isTerminal).length,
    ErrorCount: all.filter((i) => i.status === "Failed" || i.statusDetails === "ExecutionTimedOut")
      .length,
    DeliveryTimedOutCount: all.filter((i) => i.statusDetails === "DeliveryTimedOut").length,
    ServiceRole: "",
    NotificationConfig: { NotificationArn: "", NotificationEvents: [], NotificationType: "" },
    CloudWatchOutputConfig: CLOUD_WATCH_OFF,
    TimeoutSeconds: command.timeoutSeconds,
    TriggeredAlarms: [],
  };
}
