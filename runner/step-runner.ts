/**
 * Runs one step once (for the run or for one target): evaluates `if:` and
 * `with:`, validates the input, runs attempts with timeout and retry,
 * validates the output, and emits `step-started` / `step-retry` /
 * `step-finished` / `step-skipped`. The executor decides whether the step
 * runs at all and what a failure means for the target or the run.
 * @module
 */
import type { z } from "zod";
import { type ErrorKind, errorKindOf, errorStack, StepError } from "./errors.ts";
import type { EventBus } from "./events.ts";
import { evaluateCondition, evaluateTemplate } from "./expression.ts";
import type { ExpressionScope, StepSpec } from "./pipeline/model.ts";
import { isRetryable, retryDelaySeconds, scaledSleep } from "./retry.ts";
import { withStepScope } from "./step-scope.ts";
import type { PipelineStepContext, StepContext, StepPlugin, TargetStepContext } from "./types.ts";

/** What one step run came to. */
export type StepOutcome =
  | { status: "ok"; output: Record<string, unknown> }
  | { status: "skipped"; reason: string }
  | { status: "failed" | "cancelled"; kind: ErrorKind; message: string; stack?: string };

/** Everything {@link runStep} needs. */
export interface StepRunRequest {
  step: StepSpec;
  ctx: StepContext;
  /** What `if:` and `with:` expressions see. */
  scope: ExpressionScope;
  /** Aborts the running attempt (the run's interrupt, or a never-aborting signal). */
  signal: AbortSignal;
  /** The run's interrupt signal: once aborted, no retry is made. */
  interrupt: AbortSignal;
  bus: EventBus;
  /** Factor for retry delays (`settings.timeScale`). */
  timeScale: number;
  /** Seconds a plugin gets to settle after its signal aborted before it is abandoned. */
  graceSeconds: number;
  /**
   * Called when an attempt is abandoned, with the plugin's still-running
   * promise (settles, never rejects): the executor keeps the target's
   * services (its SSH session) open while it runs.
   */
  onAbandoned?: (running: Promise<void>) => void;
  /** Randomness for retry jitter, in [0, 1). */
  random: () => number;
}

/** Message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** Formats zod issues as `prefix.key: message; ...`. */
function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join(".")}: ${i.message}`)
    .join("; ");
}

/**
 * Runs `req.step` with retries; never throws.
 * - `if:` false gives `skipped`; an `if:`/`with:` evaluation error or an input
 *   schema violation gives `failed` kind `config` naming the key.
 * - Each attempt gets `AbortSignal.any([signal, timeout])`; a plugin that does
 *   not settle within `graceSeconds` after an abort is abandoned (kind
 *   `timeout`, or `cancelled` when the run was interrupted).
 * - A failed attempt is retried while attempts remain, the kind is retryable
 *   (see {@link isRetryable}) and the run is not interrupted; the delay goes
 *   through the scaled, interrupt-cancellable sleep.
 * - An output schema violation gives `failed` kind `internal` naming the step (not retried).
 */
export async function runStep(req: StepRunRequest): Promise<StepOutcome> {
  const { step, bus } = req;
  const targetId = req.ctx.target?.id;
  const ids = { stepId: step.id, stepType: step.uses, ...(targetId ? { targetId } : {}) };
  const named = step.name ? { stepName: step.name } : {};

  if (step.if !== undefined) {
    let run: boolean;
    try {
      run = evaluateCondition(step.if, req.scope);
    } catch (error) {
      return failEarly(req, ids, "config", `if: ${messageOf(error)}`);
    }
    if (!run) {
      const reason = `condition is false: ${step.if}`;
      bus.emit({ type: "step-skipped", ...ids, reason });
      return { status: "skipped", reason };
    }
  }

  let input: unknown;
  try {
    input = evaluateTemplate(step.with, req.scope);
  } catch (error) {
    return failEarly(req, ids, "config", `with: ${messageOf(error)}`);
  }
  const parsedInput = step.plugin.input.safeParse(input);
  if (!parsedInput.success) {
    return failEarly(
      req,
      ids,
      "config",
      `invalid input: ${describeIssues("with", parsedInput.error)}`,
    );
  }

  const started = performance.now();
  const finish = (outcome: StepOutcome, changed?: boolean): StepOutcome => {
    const durationMs = Math.round(performance.now() - started);
    if (outcome.status === "ok") {
      bus.emit({
        type: "step-finished",
        ...ids,
        status: "ok",
        durationMs,
        ...(changed === undefined ? {} : { changed }),
      });
    } else if (outcome.status !== "skipped") {
      bus.emit({
        type: "step-finished",
        ...ids,
        status: outcome.status,
        durationMs,
        error: outcome.message,
        errorKind: outcome.kind,
        ...(outcome.stack === undefined ? {} : { stack: outcome.stack }),
      });
    }
    return outcome;
  };

  for (let attempt = 1;; attempt++) {
    bus.emit({ type: "step-started", ...ids, ...named, attempt });
    const result = await runAttempt(req, parsedInput.data);
    if (result.ok) {
      const parsedOutput = step.plugin.output.safeParse(result.value);
      if (!parsedOutput.success) {
        return finish({
          status: "failed",
          kind: "internal",
          message: `step "${step.id}" (${step.uses}) returned output that does not match its ` +
            `output schema: ${describeIssues("", parsedOutput.error)}`,
        });
      }
      const output = asRecord(parsedOutput.data);
      const changed = typeof output.changed === "boolean" ? output.changed : undefined;
      return finish({ status: "ok", output }, changed);
    }
    const failure: StepOutcome = {
      status: result.kind === "cancelled" ? "cancelled" : "failed",
      kind: result.kind,
      message: result.message,
      ...(result.stack === undefined ? {} : { stack: result.stack }),
    };
    if (
      attempt >= step.retry.attempts || req.interrupt.aborted ||
      !isRetryable(step.retry, result.kind)
    ) {
      return finish(failure);
    }
    const delaySeconds = retryDelaySeconds(step.retry, attempt, req.random);
    bus.emit({
      type: "step-retry",
      ...ids,
      attempt: attempt + 1,
      delayMs: Math.round(delaySeconds * 1000),
      error: result.message,
    });
    try {
      await scaledSleep(delaySeconds, req.timeScale, req.interrupt);
    } catch {
      return finish(failure); // interrupted while waiting: no more attempts
    }
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return value === undefined ? {} : { value };
}

function failEarly(
  req: StepRunRequest,
  ids: { stepId: string; stepType: string; targetId?: string },
  kind: ErrorKind,
  message: string,
): StepOutcome {
  req.bus.emit({
    type: "step-started",
    ...ids,
    ...(req.step.name ? { stepName: req.step.name } : {}),
    attempt: 1,
  });
  req.bus.emit({
    type: "step-finished",
    ...ids,
    status: "failed",
    durationMs: 0,
    error: message,
    errorKind: kind,
  });
  return { status: "failed", kind, message };
}

type AttemptResult =
  | { ok: true; value: unknown }
  | { ok: false; kind: ErrorKind; message: string; stack?: string };

async function runAttempt(req: StepRunRequest, input: unknown): Promise<AttemptResult> {
  const { step } = req;
  const timeout = new AbortController();
  let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  if (step.timeoutSeconds !== undefined) {
    timeoutTimer = setTimeout(() => {
      timeout.abort(
        new DOMException(`timed out after ${step.timeoutSeconds}s`, "TimeoutError"),
      );
    }, step.timeoutSeconds * 1000);
  }
  const signal = AbortSignal.any([req.signal, timeout.signal]);
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    onAbort = () => {
      graceTimer = setTimeout(() => {
        reject(
          new Error(
            `${messageOf(signal.reason)}; the step did not stop within ${req.graceSeconds}s ` +
              `and was abandoned`,
          ),
        );
      }, req.graceSeconds * 1000);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  const running = withStepScope(
    { stepId: step.id, ...(req.ctx.target ? { targetId: req.ctx.target.id } : {}) },
    () => Promise.resolve().then(() => invokePlugin(step.plugin, req.ctx, input, signal)),
  );
  try {
    const value = await Promise.race([
      running,
      abandoned.catch((error) => {
        req.onAbandoned?.(running.then(() => {}, () => {}));
        throw error;
      }),
    ]);
    return { ok: true, value };
  } catch (error) {
    const kind: ErrorKind = timeout.signal.aborted
      ? "timeout"
      : req.signal.aborted
      ? "cancelled"
      : errorKindOf(error);
    const stack = errorStack(error);
    return { ok: false, kind, message: messageOf(error), ...(stack ? { stack } : {}) };
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(graceTimer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Calls the plugin's `run` with the context of its scope.
 * @throws StepError kind `internal` when a target-scope step has no target.
 */
function invokePlugin(
  plugin: StepPlugin,
  ctx: StepContext,
  input: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  if (plugin.scope === "target") {
    if (!ctx.target) {
      throw new StepError("internal", `target-scope step "${ctx.step.id}" ran without a target`);
    }
    return plugin.run(ctx as TargetStepContext, input, signal);
  }
  return plugin.run(ctx as PipelineStepContext, input, signal);
}
