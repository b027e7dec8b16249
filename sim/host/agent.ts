/**
 * The host side of the simulated SSM agent: it is online while the host is
 * booted and its NIC carries traffic (so a driver reload or a reboot takes it
 * offline exactly as it drops SSH), and it runs a Run Command
 * `aws:runShellScript` plugin the way amazon-ssm-agent does on Linux: the
 * `commands` are written to `_script.sh` in the plugin's orchestration
 * directory (`/var/lib/amazon/ssm/<instance>/document/orchestration/<command>/
 * awsrunShellScript/0.awsrunShellScript`), run with `sh` as root, and its
 * output is kept in `stdout` / `stderr` files beside it. The script runs
 * through the same mini shell as an SSH exec ({@link runExec}); a network
 * drop does not kill it (the agent is local), a power-off does.
 *
 * Source: amazon-ssm-agent (`RunCommandScriptName = "_script.sh"`, shell `sh`,
 * orchestration directory layout); systemd's default service PATH.
 * @module
 */
import type { SimAgentHost, SimAgentRunOutcome, SimAgentRunRequest } from "../types.ts";
import type { Machine } from "./model/machine.ts";
import { runExec } from "./session.ts";

/** Output kept per stream: more than GetCommandInvocation ever returns, bounded for memory. */
const OUTPUT_KEEP_CHARS = 1 << 20;

/** The orchestration directory of one Run Command plugin run. */
export function orchestrationDir(instanceId: string, commandId: string): string {
  return `/var/lib/amazon/ssm/${instanceId}/document/orchestration/${commandId}/awsrunShellScript/0.awsrunShellScript`;
}

/** What {@link HostAgent} needs from its host. */
export interface HostAgentOptions {
  machine: Machine;
  /** The host's current lifetime signal (aborted when it powers off or is terminated). */
  lifetime: () => AbortSignal;
  /** True once the instance is terminated. */
  stopped: () => boolean;
}

/** The SSM agent of one simulated host. */
export class HostAgent implements SimAgentHost {
  readonly #options: HostAgentOptions;
  readonly #waiters = new Set<() => void>();

  constructor(options: HostAgentOptions) {
    this.#options = options;
  }

  online(): boolean {
    return !this.#options.stopped() && this.#options.machine.networkUp();
  }

  /** The host calls this whenever reachability may have changed: wakes {@link whenOnline} waiters. */
  notify(): void {
    if (this.#waiters.size === 0 || !this.online()) return;
    for (const wake of [...this.#waiters]) wake();
  }

  whenOnline(signal?: AbortSignal): Promise<void> {
    if (this.online()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal!.reason);
      };
      const wake = () => {
        this.#waiters.delete(wake);
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  osRelease(): string {
    try {
      return this.#options.machine.fs.read("/etc/os-release", 0);
    } catch {
      return "";
    }
  }

  hostname(): string {
    return this.#options.machine.state.hostname;
  }

  async run(request: SimAgentRunRequest): Promise<SimAgentRunOutcome> {
    const machine = this.#options.machine;
    const dir = orchestrationDir(machine.state.instanceId, request.commandId);
    const script = `${dir}/_script.sh`;
    try {
      machine.fs.mkdir(dir, 0, true);
      machine.fs.write(script, request.script + "\n", 0);
    } catch (e) {
      return { exitCode: 1, stdout: "", stderr: `failed to write the script: ${String(e)}\n` };
    }
    const cwd = request.workingDirectory || dir;
    if (machine.fs.stat(cwd)?.node.kind !== "dir") {
      return {
        exitCode: 1,
        stdout: "",
        stderr: `Invalid workingDirectory ${cwd}, directory doesn't exist.\n`,
      };
    }
    let stdout = "";
    let stderr = "";
    const keep = (all: string, more: string) =>
      all.length >= OUTPUT_KEEP_CHARS ? all : (all + more).slice(0, OUTPUT_KEEP_CHARS);
    const lifetime = this.#options.lifetime();
    const outcome = await runExec({
      command: `sh ${script}`,
      user: "root",
      cwd,
      machine,
      signal: AbortSignal.any([request.signal, lifetime]),
      lifetime,
      io: {
        stdin: () => Promise.resolve(""),
        out: (s) => (stdout = keep(stdout, s)),
        err: (s) => (stderr = keep(stderr, s)),
      },
    });
    try {
      machine.fs.write(`${dir}/stdout`, stdout, 0);
      machine.fs.write(`${dir}/stderr`, stderr, 0);
    } catch { /* host gone */ }
    if ("exitCode" in outcome) return { exitCode: outcome.exitCode, stdout, stderr };
    return { killed: lifetime.aborted ? "power" : "signal", stdout, stderr };
  }
}
