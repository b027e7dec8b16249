/**
 * AWS SDK v3 clients shared by the steps of a run, created lazily through the
 * run's service registry (one client per service and region), configured
 * from the run settings (`--profile`, `--region`, a custom endpoint under
 * `--simulate`), and instrumented so every call becomes an `aws-call` event.
 *
 * Imported only by steps that talk to AWS, so `--help` and `validate` do not
 * load the SDK.
 * @module
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";
import type { StepContext } from "../../../runner/types.ts";
import { currentStepScope, withStepScope } from "../../../runner/step-scope.ts";
import type { AwsContext } from "./aws-context.ts";

/** The region configured for this invocation: `--region`, then `AWS_REGION`, then `AWS_DEFAULT_REGION`; undefined when none. */
export function configuredRegion(ctx: Pick<StepContext, "settings">): string | undefined {
  return ctx.settings.region ?? Deno.env.get("AWS_REGION") ?? Deno.env.get("AWS_DEFAULT_REGION") ??
    undefined;
}

/** Base configuration every client of the run gets. */
export function clientConfig(ctx: Pick<StepContext, "settings">, region: string) {
  return {
    region,
    ...(ctx.settings.aws.endpoint ? { endpoint: ctx.settings.aws.endpoint } : {}),
    ...(ctx.settings.profile ? { credentials: fromIni({ profile: ctx.settings.profile }) } : {}),
    // The SDK retries throttling and transient errors with exponential backoff.
    maxAttempts: 5,
  };
}

// deno-lint-ignore no-explicit-any
type AnyClient = { middlewareStack: { add: (...args: any[]) => void }; destroy(): void };

function instrument<C extends AnyClient>(
  client: C,
  ctx: AwsContext,
  service: string,
  region: string,
): C {
  client.middlewareStack.add(
    // deno-lint-ignore no-explicit-any
    (next: any, context: any) => async (args: any) => {
      const started = performance.now();
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      // The step making this call, not the one that created the shared client.
      const stepId = currentStepScope()?.stepId ?? ctx.step.id;
      try {
        const out = await next(args);
        ctx.emit({
          type: "aws-call",
          stepId,
          service,
          operation,
          region,
          durationMs: Math.round(performance.now() - started),
        });
        return out;
      } catch (error) {
        ctx.emit({
          type: "aws-call",
          stepId,
          service,
          operation,
          region,
          durationMs: Math.round(performance.now() - started),
          error: (error as Error).name,
        });
        throw error;
      }
    },
    { step: "initialize", name: "ptpRunnerAwsCallEvents" },
  );
  return client;
}

/**
 * A view of the shared `client` whose `send` runs as work of `ctx`'s step, so
 * the `aws-call` event names the step that asked for the client now, even
 * when the call is made from a callback (e.g. ssh2's host key check) that
 * lost the async step scope.
 */
function forStep<C extends AnyClient & { send: (...args: never[]) => unknown }>(
  client: C,
  ctx: AwsContext,
): C {
  const ids = { stepId: ctx.step.id, ...(ctx.target ? { targetId: ctx.target.id } : {}) };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "send") {
        return (...args: Parameters<C["send"]>) => withStepScope(ids, () => target.send(...args));
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Wraps an SDK client so the run's service registry can close it. */
function closable<C extends AnyClient>(client: C): C & { close(): void } {
  return Object.assign(client, { close: () => client.destroy() });
}

/**
 * The run's EC2 client for `region` (created on first use, reused after).
 * Each call's event names the step making it (see runner/step-scope.ts).
 */
export function ec2Client(ctx: AwsContext, region: string): Promise<EC2Client> {
  return ctx.services.get(
    `aws:ec2:${region}`,
    () => closable(instrument(new EC2Client(clientConfig(ctx, region)), ctx, "ec2", region)),
  ).then((client) => forStep(client, ctx));
}

/** The run's SSM client for `region`. */
export function ssmClient(ctx: AwsContext, region: string): Promise<SSMClient> {
  return ctx.services.get(
    `aws:ssm:${region}`,
    () => closable(instrument(new SSMClient(clientConfig(ctx, region)), ctx, "ssm", region)),
  ).then((client) => forStep(client, ctx));
}

/** The run's STS client for `region`. */
export function stsClient(ctx: AwsContext, region: string): Promise<STSClient> {
  return ctx.services.get(
    `aws:sts:${region}`,
    () => closable(instrument(new STSClient(clientConfig(ctx, region)), ctx, "sts", region)),
  ).then((client) => forStep(client, ctx));
}
