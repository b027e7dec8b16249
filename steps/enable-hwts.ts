/**
 * `enable-hwts`: turns the ENA PTP hardware clock (PHC) on. Persists
 * `options ena phc_enable=1` in modprobe.d, applies it by a driver reload
 * detached from the remote command (or a reboot), reconnects, finds the clock by
 * name (`ena-ptp-*`), checks `ethtool -T`, and makes `/dev/ptp_ena` exist via
 * the udev rule. Hardware without a PHC gives the verdict `unsupported`, not
 * an error (PTP.md sections 3-4).
 * @module
 */
import { defineStep, durationSeconds, z } from "../plugins/api.ts";
import { StepError } from "../runner/errors.ts";
import type { Target, TargetStepContext } from "../runner/types.ts";
import { hasParameter, parseModinfo } from "../plugins/parsers/modinfo.ts";
import type { PhcFacts } from "../plugins/ptp/facts.ts";
import { shellFor } from "../plugins/ssh/shell-registry.ts";
import type { RemoteShell } from "../plugins/ssh/types.ts";
import { diagnose, type Evidence, evidenceOf, failure } from "../plugins/ptp/diagnose.ts";
import {
  hwRxTimestampingOn,
  MODPROBE_CONF_PATH,
  modprobeConfContent,
  setsPhcEnable,
  UDEV_RULE_PATH,
  udevRuleContent,
} from "../plugins/ptp/managed-files.ts";
import { type PhcSnapshot, PTP_ENA_DEVICE, readPhcSnapshot } from "../plugins/ptp/phc-clock.ts";
import { ROLLBACK_GRACE_SECONDS } from "../plugins/ptp/chrony-rollback.ts";
import { pciSlotOf, primaryInterface } from "../plugins/ptp/primary-interface.ts";
import { readRemoteFile } from "../plugins/ptp/remote-files.ts";
import { type HostChanges, hostChanges } from "../plugins/host/changes.ts";
import { shQuote } from "../plugins/ssh/quote.ts";

/** `EnableHwtsInput` as the step receives it (from the schema). */
export type EnableHwtsInput = z.output<typeof EnableHwtsInput>;

/** `EnableHwtsOutput` as the step returns it (from the schema). */
export type EnableHwtsOutput = z.input<typeof EnableHwtsOutput>;

/** Input of `enable-hwts`. */
export const EnableHwtsInput = z.object({
  /** How to apply the module option: detached driver reload, or reboot. */
  apply: z.enum(["reload", "reboot"]).default("reload").describe(
    "Apply phc_enable=1 by a detached driver reload (drops SSH) or a reboot.",
  ),
  /** Also switch on per-packet hardware RX timestamping (`hwstamp_ctl -i IFACE -r 1`). */
  hw_rx_timestamping: z.boolean().default(false).describe(
    "Also switch on per-packet hardware RX timestamping (hwstamp_ctl; disrupts networking briefly).",
  ),
  /** Seconds to wait for the clock after the reload/reboot. */
  settle_timeout: durationSeconds(60).describe(
    "How long to wait for the ENA clock after the reload or reboot.",
  ),
  /** Seconds between reads while waiting. */
  poll_interval: durationSeconds(2).describe("Time between reads while waiting."),
  /** Seconds to wait after launching the detached reload/reboot before reconnecting. */
  reconnect_delay: durationSeconds(3).describe(
    "Wait after launching the detached reload/reboot before reconnecting.",
  ),
}).strict();

/** Output of `enable-hwts`. */
export const EnableHwtsOutput = z.object({
  /** True when a file was written or the driver was reloaded/rebooted (check mode: would be). */
  changed: z.boolean(),
  /** True under `--dry-run`: nothing was applied. */
  check_mode: z.boolean().default(false),
  /**
   * `enabled`, or `unsupported` when no ENA clock exists with phc_enable=1;
   * `planned` in check mode when enabling needs a change (not applied).
   */
  state: z.enum(["enabled", "unsupported", "planned"]),
  /** `/dev/ptp_ena` when it resolves to the ENA clock; null otherwise. */
  device: z.string().nullable(),
  /** `clock_name` of the ENA clock, e.g. `ena-ptp-05`. */
  clock_name: z.string().nullable(),
  /** N of `/dev/ptpN` of the ENA clock. */
  index: z.number().int().nullable(),
});

/** Transient unit running the detached driver reload. */
export const RELOAD_UNIT = "ptp-runner-ena-reload";
/** Transient unit running the detached reboot. */
export const REBOOT_UNIT = "ptp-runner-reboot";

/**
 * The driver reload script run detached (`sh -c`): remove ena, then, when
 * CONFIG_PTP_1588_CLOCK=m, `modprobe ptp` (removing ena may have unloaded the
 * now unused ptp module, and a hand-built ena needs its symbols:
 * "Unknown symbol ptp_clock_register", PTP.md section 2), then load ena,
 * falling back to a load with phc_enable=0 so the NIC comes back whatever happens.
 */
export function reloadScript(modprobePtp: boolean): string {
  return `modprobe -r ena; ${modprobePtp ? "modprobe ptp; " : ""}modprobe ena || ` +
    "modprobe ena phc_enable=0";
}

/** True for a lost connection (the host is reloading/rebooting). */
function isConnectionError(error: unknown): boolean {
  return error instanceof StepError && error.kind === "connection";
}

/**
 * Launches the reload or reboot detached from the running command (the
 * instance's network drops: an SSH session closes, the SSM agent goes offline
 * for a while), then reconnects (SSH: a new session; SSM: waits for the agent).
 */
async function applyAndReconnect(
  ctx: TargetStepContext,
  shell: RemoteShell,
  input: EnableHwtsInput,
  modprobePtp: boolean,
  signal: AbortSignal,
): Promise<void> {
  const script = input.apply === "reload" ? reloadScript(modprobePtp) : "systemctl reboot";
  const unit = input.apply === "reload" ? RELOAD_UNIT : REBOOT_UNIT;
  ctx.log.info(
    input.apply === "reload"
      ? "reloading the ena driver in a detached unit (the instance's network drops while it " +
        "reloads; waiting to reach the instance again)"
      : "rebooting (the instance is unreachable until it is back up; waiting to reach it again)",
  );
  const detached = await shell.run(
    `systemd-run --unit ${unit} --no-block sh -c ${shQuote(script)}`,
    { sudo: true, signal, expectDisconnect: true },
  );
  if (detached.exitCode !== 0 && detached.exitCode !== null) {
    ctx.log.warn(`systemd-run failed (${detached.stderr.trim()}); using nohup setsid instead`);
    await shell.run(
      `nohup setsid sh -c ${shQuote(`sleep 1; ${script}`)} >/dev/null 2>&1 &`,
      { sudo: true, signal, expectDisconnect: true },
    );
  }
  await ctx.sleep(input.reconnect_delay, signal);
  await shell.reconnect(signal);
}

/**
 * Reads the PHC snapshot, reconnecting once when the connection dropped
 * (the detached reload may still be running).
 */
async function snapshotWithReconnect(
  shell: RemoteShell,
  iface: string | null,
  signal: AbortSignal,
): Promise<PhcSnapshot> {
  try {
    return await readPhcSnapshot(shell, iface, signal);
  } catch (error) {
    if (!isConnectionError(error)) throw error;
    await shell.reconnect(signal);
    return await readPhcSnapshot(shell, iface, signal);
  }
}

/** Waits until the ENA clock appears with phc_enable=1, or the settle timeout passes. */
async function waitForClock(
  ctx: TargetStepContext,
  shell: RemoteShell,
  iface: string | null,
  input: EnableHwtsInput,
  signal: AbortSignal,
): Promise<PhcSnapshot> {
  const polls = Math.max(1, Math.ceil(input.settle_timeout / Math.max(input.poll_interval, 0.001)));
  let snapshot = await snapshotWithReconnect(shell, iface, signal);
  for (let i = 1; i < polls && !(snapshot.phcEnable === 1 && snapshot.enaClock); i++) {
    await ctx.sleep(input.poll_interval, signal);
    snapshot = await snapshotWithReconnect(shell, iface, signal);
  }
  return snapshot;
}

/** Marks the target unsupported (a verdict, not an error) and builds the output. */
function unsupported(
  ctx: TargetStepContext,
  target: Target,
  snapshot: PhcSnapshot,
  changed: boolean,
): EnableHwtsOutput {
  const reason = "phc_enable is 1 but no ena-ptp-* PTP clock exists: this hardware has no PHC";
  diagnose(target, "hardware", reason, {
    command: snapshot.clocksResult.command,
    output: snapshot.clocks.length === 0
      ? "(no /sys/class/ptp/ptpN/clock_name)"
      : snapshot.clocks.map((c) => `${c.device}: ${c.clockName}`).join("\n"),
  });
  const facts = target.facts;
  facts.phc = {
    state: "unsupported",
    device: null,
    clockName: null,
    index: null,
    ethtoolIndex: snapshot.ethtoolIndex,
  };
  target.verdict = "unsupported";
  target.verdictReason = reason;
  ctx.log.info(reason);
  return {
    changed,
    check_mode: ctx.settings.dryRun,
    state: "unsupported",
    device: null,
    clock_name: null,
    index: null,
  };
}

/** Records `facts.phc.state = "failed"` and returns the error to throw. */
function failed(
  target: Target,
  snapshot: PhcSnapshot | null,
  layer: "driver" | "udev",
  summary: string,
  evidence: Evidence,
): StepError {
  target.facts.phc = {
    state: "failed",
    device: null,
    clockName: snapshot?.enaClock?.clockName ?? null,
    index: snapshot?.enaClock?.index ?? null,
    ethtoolIndex: snapshot?.ethtoolIndex ?? null,
  };
  return failure(target, "command", layer, summary, evidence);
}

/**
 * Adds the udev rule (when not already there) and triggers udev so that
 * `/dev/ptp_ena` points to `ptp<index>`.
 * @returns whether a file was written
 */
async function ensureSymlink(
  ctx: TargetStepContext,
  target: Target,
  shell: RemoteShell,
  changes: HostChanges,
  snapshot: PhcSnapshot,
  index: number,
  signal: AbortSignal,
): Promise<boolean> {
  const rule = await readRemoteFile(shell, UDEV_RULE_PATH, signal);
  if (rule.content !== udevRuleContent()) {
    ctx.log.info(`/dev/ptp_ena is missing: adding the udev rule ${UDEV_RULE_PATH}`);
    const written = await changes.writeFile(
      UDEV_RULE_PATH,
      rule.content,
      udevRuleContent(),
      signal,
    );
    if (written.result && written.result.exitCode !== 0) {
      throw failed(
        target,
        snapshot,
        "udev",
        `cannot write ${UDEV_RULE_PATH}`,
        evidenceOf(written.result),
      );
    }
  }
  const trigger = await changes.action(
    "reload udev rules and trigger PTP devices",
    () =>
      shell.run(
        "sudo -n udevadm control --reload-rules && sudo -n udevadm trigger --subsystem-match=ptp" +
          " && sudo -n udevadm settle",
        { signal },
      ),
  );
  if (trigger === null) return true;
  const link = await shell.run(`readlink ${PTP_ENA_DEVICE}`, { signal });
  const linkedTo = link.exitCode === 0 ? link.stdout.trim().replace(/^.*\//, "") : "";
  if (trigger.exitCode !== 0 || linkedTo !== `ptp${index}`) {
    throw failed(
      target,
      snapshot,
      "udev",
      `${PTP_ENA_DEVICE} does not point to ptp${index} after adding the udev rule`,
      {
        command: `${trigger.command}; ${link.command}`,
        output: [evidenceOf(trigger).output, evidenceOf(link).output].filter(Boolean).join("\n"),
      },
    );
  }
  return true;
}

/**
 * Switches on per-packet hardware RX timestamping (`hwstamp_ctl -i IFACE -r 1`,
 * disrupts networking briefly) unless already on; reads the state back.
 * @returns the state file content read back, and whether it changed anything
 */
async function ensureHwRxTimestamping(
  target: Target,
  shell: RemoteShell,
  changes: HostChanges,
  iface: string,
  slot: string | null,
  signal: AbortSignal,
): Promise<{ state: string | null; changed: boolean }> {
  const path = slot ? `/sys/bus/pci/devices/${slot}/hw_packet_timestamping_state` : null;
  const read = async () => path ? (await readRemoteFile(shell, path, signal)).content : null;
  const before = await read();
  if (hwRxTimestampingOn(before) === true) return { state: before?.trim() ?? null, changed: false };
  const result = await changes.action(
    `switch on hardware RX timestamping on ${iface} (hwstamp_ctl)`,
    () =>
      shell.run(`hwstamp_ctl -i ${shQuote(iface)} -r 1`, {
        sudo: true,
        signal,
        expectDisconnect: true,
      }),
  );
  if (result === null) return { state: before?.trim() ?? null, changed: true };
  if (result.exitCode === null) await shell.reconnect(signal);
  else if (result.exitCode !== 0) {
    throw failure(
      target,
      "command",
      "driver",
      "hwstamp_ctl could not switch on RX timestamping",
      result,
    );
  }
  const after = await read();
  if (path && hwRxTimestampingOn(after) !== true) {
    throw failure(target, "command", "driver", "hardware RX timestamping is still off", {
      command: `cat ${path}`,
      output: after?.trim() ?? "(unreadable)",
    });
  }
  return { state: after?.trim() ?? null, changed: true };
}

/**
 * Runs enable-hwts on the current target.
 * @returns the output; `state: "unsupported"` sets the target's verdict instead of throwing
 * @throws StepError `config` when the driver has no phc_enable parameter (run
 *   ena-build) or there is no target/session; `command` (diagnosis layer
 *   `driver`/`udev`) when the clock cannot be enabled or named;
 *   `connection`/`cancelled`.
 */
async function runEnableHwts(
  ctx: TargetStepContext,
  input: EnableHwtsInput,
  signal: AbortSignal,
): Promise<EnableHwtsOutput> {
  const target = ctx.target;
  const facts = target.facts;
  const shell = await shellFor(ctx);
  const iface = await primaryInterface(facts, shell, signal);
  let changed = false;

  const changes = hostChanges(ctx, shell);
  const checkMode = changes.checkMode;
  const planned = (why: string): EnableHwtsOutput => {
    facts.phc = {
      state: "planned",
      device: null,
      clockName: null,
      index: null,
      ethtoolIndex: snapshot.ethtoolIndex,
    };
    ctx.log.info(`check mode: ${why}`);
    return {
      changed: true,
      check_mode: true,
      state: "planned",
      device: null,
      clock_name: null,
      index: null,
    };
  };

  let snapshot = await readPhcSnapshot(shell, iface, signal);
  if (!(snapshot.phcEnable === 1 && snapshot.enaClock)) {
    if (snapshot.phcEnable === 1) return unsupported(ctx, target, snapshot, changed);
    if (snapshot.phcEnable === null) {
      const modinfo = await shell.run("modinfo ena", { signal });
      if (!(modinfo.exitCode === 0 && hasParameter(parseModinfo(modinfo.stdout), "phc_enable"))) {
        if (checkMode) {
          await changes.action(
            "reload ena (detached) with phc_enable=1, once ena-build installed a driver with it",
            () => Promise.resolve(),
          );
          return planned("the ena driver has no phc_enable parameter yet (ena-build would add it)");
        }
        throw failure(
          target,
          "config",
          "driver",
          "the ena driver has no phc_enable parameter (built without ENA_PHC_INCLUDE=1): " +
            "run ena-build first",
          modinfo,
        );
      }
    }
    const conf = await readRemoteFile(shell, MODPROBE_CONF_PATH, signal);
    if (!setsPhcEnable(conf.content)) {
      const written = await changes.writeFile(
        MODPROBE_CONF_PATH,
        conf.content,
        modprobeConfContent(),
        signal,
      );
      if (written.result && written.result.exitCode !== 0) {
        throw failed(
          target,
          snapshot,
          "driver",
          `cannot write ${MODPROBE_CONF_PATH}`,
          evidenceOf(written.result),
        );
      }
      changed = true;
    }
    const applied = await changes.action(
      input.apply === "reload" ? "reload ena (detached)" : "reboot",
      () => applyAndReconnect(ctx, shell, input, facts.ena?.ptpClockConfig === "m", signal),
    );
    if (checkMode && applied === null) {
      return planned(`would ${input.apply} to turn phc_enable on; the clock is read afterwards`);
    }
    changed = true;
    snapshot = await waitForClock(ctx, shell, iface, input, signal);
    if (snapshot.phcEnable !== 1) {
      const evidence = [snapshot.phcEnableResult];
      if (input.apply === "reload") {
        evidence.push(
          await shell.run(`journalctl -u ${RELOAD_UNIT} -n 20 --no-pager`, { sudo: true, signal }),
        );
      }
      throw failed(
        target,
        snapshot,
        "driver",
        `phc_enable reads ${snapshot.phcEnable ?? "nothing (parameter missing)"} after the ` +
          `${input.apply}; if ena is loaded from the initramfs, rebuild it (dracut -f) and reboot`,
        {
          command: evidence.map((r) => r.command).join("; "),
          output: evidence.map((r) => evidenceOf(r).output).join("\n"),
        },
      );
    }
    if (!snapshot.enaClock) return unsupported(ctx, target, snapshot, changed);
  }

  const clock = snapshot.enaClock!;
  if (snapshot.ethtoolIndex !== clock.index) {
    const summary = `ethtool -T ${iface ?? "(no interface)"} reports PTP Hardware Clock ` +
      `${
        snapshot.ethtoolIndex ?? "none"
      }, but the ENA clock ${clock.clockName} is ptp${clock.index}`;
    diagnose(target, "driver", summary, snapshot.ethtoolResult ?? undefined);
    target.warnings.push(summary);
  }
  if (snapshot.symlinkTarget !== `ptp${clock.index}`) {
    if (await ensureSymlink(ctx, target, shell, changes, snapshot, clock.index, signal)) {
      changed = true;
    }
  }
  const phc: PhcFacts = {
    state: "enabled",
    device: PTP_ENA_DEVICE,
    clockName: clock.clockName,
    index: clock.index,
    ethtoolIndex: snapshot.ethtoolIndex,
  };
  if (input.hw_rx_timestamping) {
    if (!iface) {
      throw failure(target, "config", "driver", "no primary interface found for hwstamp_ctl");
    }
    const slot = await pciSlotOf(facts, iface, shell, signal);
    const rx = await ensureHwRxTimestamping(target, shell, changes, iface, slot, signal);
    phc.hwRxTimestamping = rx.state;
    if (rx.changed) changed = true;
  }
  facts.phc = phc;
  return {
    changed,
    check_mode: checkMode,
    state: "enabled",
    device: PTP_ENA_DEVICE,
    clock_name: clock.clockName,
    index: clock.index,
  };
}

export default defineStep({
  type: "enable-hwts",
  description: "Turn the ENA PHC on (phc_enable=1, detached reload or reboot, /dev/ptp_ena).",
  scope: "target",
  input: EnableHwtsInput,
  output: EnableHwtsOutput,
  reads: [
    "facts.ena.interface",
    "facts.ena.pciSlot",
    "facts.ena.ptpClockConfig",
    "settings.dryRun",
  ],
  writes: [
    "facts.phc",
    "facts.changes",
    "target.verdict",
    "target.verdictReason",
    "target.diagnostics",
    "target.warnings",
  ],
  // Its udev reload and a detached driver reload must not lose their SSH session halfway.
  abortGraceSeconds: ROLLBACK_GRACE_SECONDS,
  async run(ctx, input, signal) {
    return await runEnableHwts(ctx, input, signal);
  },
});
