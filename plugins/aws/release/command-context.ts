/**
 * The {@link AwsContext} of the recovery commands (`cleanup --run`, `sweep`),
 * which run outside a pipeline but reuse the AWS plugin's code (instrumented
 * clients, waits, termination). Logs go to stderr as plain lines; AWS calls
 * are shown with `verbose`.
 * @module
 */
import { memoryJournal } from "../../../runner/memory-journal.ts";
import type { JournalApi, LogLevel, RunSettings } from "../../../runner/types.ts";
import type { AwsContext } from "../shared/aws-context.ts";

/** Flags common to the recovery commands. */
export interface CommandOptions {
  /** `--region`. */
  region?: string;
  /** `--profile`. */
  profile?: string;
  /** `--endpoint URL` (otherwise the SDK honours AWS_ENDPOINT_URL). */
  endpoint?: string;
  /** `--yes`. */
  yes: boolean;
  /** Prompts allowed; default: stdin and stdout are terminals and `CI` is unset. */
  interactive?: boolean;
  /** Directory holding `.ptp-runner/`; default the current directory. */
  workDir?: string;
  /** Print debug logs and AWS calls. */
  verbose?: boolean;
  /** Factor applied to waits (1 in real use; tests pass 0). */
  timeScale?: number;
}

/**
 * `PTP_RUNNER_TIME_SCALE` (printed by `ptp-runner sim`): a factor in (0, 1]
 * for the waits against a fast simulator; undefined when unset or invalid.
 */
function envTimeScale(): number | undefined {
  const n = Number(Deno.env.get("PTP_RUNNER_TIME_SCALE") ?? "");
  return Number.isFinite(n) && n > 0 && n <= 1 ? n : undefined;
}

/** A command's AWS context plus `close()` for its services. */
export interface CommandContext extends AwsContext {
  /** Closes the AWS clients. */
  close(): Promise<void>;
}

/** True when prompts are possible: stdin and stdout are terminals and `CI` is unset. */
export function isInteractiveSession(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal() && !Deno.env.get("CI");
}

/**
 * Builds the context of a recovery command.
 * @param name command name, used as the step id/type in events (`cleanup-run`, `sweep`).
 * @param extra.journal the run's journal (`RunJournal.open`), else an in-memory one.
 * @param extra.write where log lines go (default stderr).
 */
export function createCommandContext(
  name: string,
  options: CommandOptions,
  extra: {
    journal?: JournalApi;
    services?: Map<string, unknown>;
    write?: (line: string) => void;
  } = {},
): CommandContext {
  const write = extra.write ?? ((line: string) => console.error(line));
  const services = extra.services ?? new Map<string, unknown>();
  const settings: RunSettings = {
    yes: options.yes,
    interactive: options.interactive ?? isInteractiveSession(),
    dryRun: false,
    region: options.region,
    profile: options.profile,
    redact: true,
    timeScale: options.timeScale ?? envTimeScale() ?? 1,
    aws: options.endpoint ? { endpoint: options.endpoint } : {},
    workDir: options.workDir ?? Deno.cwd(),
  };
  const log = (level: LogLevel) => (message: string) => {
    if (level === "debug" && !options.verbose) return;
    write(level === "info" ? message : `${level}: ${message}`);
  };
  return {
    step: { id: name, type: name },
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    emit(event) {
      if (options.verbose && event.type === "aws-call") {
        write(
          `aws ${event.service}:${event.operation} ${event.region ?? ""} ${event.durationMs}ms${
            event.error ? ` ${event.error}` : ""
          }`,
        );
      }
    },
    services: {
      async get<T>(key: string, create: () => T | Promise<T>): Promise<T> {
        if (!services.has(key)) services.set(key, await create());
        return services.get(key) as T;
      },
    },
    journal: extra.journal ?? memoryJournal(),
    settings,
    sleep(seconds: number, signal?: AbortSignal) {
      const ms = seconds * settings.timeScale * 1000;
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    withConsole: (fn) => fn(),
    async close() {
      for (const service of services.values()) {
        const s = service as { close?: () => unknown };
        if (typeof s?.close === "function") await s.close();
      }
      services.clear();
    },
  };
}
