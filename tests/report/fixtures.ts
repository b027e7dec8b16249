/**
 * Hand-made targets covering every verdict, for the report tests.
 * @module
 */
import type { CleanupOutcome } from "../../plugins/report/cleanup-outcome.ts";
import type { Target } from "../../runner/types.ts";
import { makeTarget } from "../helpers/context.ts";
import type { TargetFacts } from "../../plugins/api.ts";
import type {} from "../../plugins/ptp/facts.ts";

/** Run id in the `YYYYMMDD-HHMMSS-xxxx` form (UTC 2026-11-29 10:15:00). */
export const RUN_ID = "20261129-101500-ab12";

const functionalFacts = (
  errorBoundNs: number,
  offsetSeconds: number,
): Record<string, unknown> & TargetFacts => ({
  arch: { machine: "x86_64", raw: "x86_64", expected: "x86_64", mismatch: false },
  ena: {
    version: "2.16.1g",
    modulePresent: true,
    versionAtLeast2_10: true,
    hasPhcParameter: true,
    phcEnable: 1,
    ptpClockConfig: "y",
    interface: "ens5",
    pciSlot: "0000:00:05.0",
    kernel: "6.1.158-180.294.amzn2023.x86_64",
    needsBuild: false,
    reason: "phc_enable parameter present",
  },
  phc: {
    state: "enabled",
    device: "/dev/ptp_ena",
    clockName: "ena-ptp-05",
    index: 1,
    ethtoolIndex: 1,
  },
  verify: {
    verdict: "functional",
    failedLayer: null,
    checks: [],
    quality: {
      system_time_offset_seconds: offsetSeconds,
      system_time_direction: offsetSeconds >= 0 ? "fast" : "slow",
      rms_offset_seconds: 0.000000021,
      frequency_ppm: -4.221,
      skew_ppm: 0.002,
      root_delay_seconds: 0.000010,
      root_dispersion_seconds: 0.000001034,
      phc_error_bound_ns: errorBoundNs,
      clock_error_bound_ns: Math.abs(offsetSeconds) * 1e9 + 5000 + 1034 + errorBoundNs,
      reference_name: "PHC0",
      stratum: 1,
    },
  },
});

/**
 * Six targets: two functional c7i.large, one m6i.large skipped at launch
 * (unsupported), one misconfigured c7g.large with chrony diagnostics, one
 * m7a.large that errored in ena-build, one existing host without an
 * instance id or type (functional, address 10.1.2.3).
 */
export function sampleTargets(): Target[] {
  return [
    makeTarget({
      id: "c7i.large-1",
      label: "c7i.large 1 of 2",
      status: "done",
      instanceId: "i-0aaa0000000000001",
      instanceType: "c7i.large",
      region: "us-east-1",
      expectedArchitecture: "x86_64",
      address: "54.12.34.56",
      placementGroup: "ptp-runner-pg",
      launchedByRun: true,
      verdict: "functional",
      verdictReason: "chrony selected PHC0",
      facts: functionalFacts(32123, 0.000000012),
    }),
    makeTarget({
      id: "c7i.large-2",
      label: "c7i.large 2 of 2",
      status: "done",
      instanceId: "i-0aaa0000000000002",
      instanceType: "c7i.large",
      region: "us-east-1",
      expectedArchitecture: "x86_64",
      address: "2600:1f18:abcd::12",
      placementGroup: "ptp-runner-pg",
      launchedByRun: true,
      verdict: "functional",
      facts: functionalFacts(40000, -0.000000030),
    }),
    makeTarget({
      id: "m6i.large-1",
      label: "m6i.large 1 of 1",
      status: "skipped",
      instanceType: "m6i.large",
      region: "us-east-1",
      expectedArchitecture: "x86_64",
      launchedByRun: false,
      verdict: "unsupported",
      verdictReason: "PhcSupport is unsupported for m6i.large (not launched)",
    }),
    {
      ...makeTarget({
        id: "c7g.large-1",
        label: "c7g.large 1 of 1",
        status: "done",
        instanceId: "i-0ccc0000000000003",
        instanceType: "c7g.large",
        region: "us-east-1",
        expectedArchitecture: "arm64",
        address: "10.0.1.23",
        launchedByRun: true,
        verdict: "misconfigured",
        verdictReason: "PHC0 present but not selected",
        facts: {
          arch: { machine: "aarch64", raw: "aarch64", expected: "arm64", mismatch: false },
          phc: {
            state: "enabled",
            device: "/dev/ptp_ena",
            clockName: "ena-ptp-05",
            index: 0,
            ethtoolIndex: 0,
          },
          verify: { verdict: "misconfigured", failedLayer: "chrony", checks: [], quality: null },
        },
      }),
      diagnostics: [{
        layer: "chrony",
        summary: "PHC0 present but not selected",
        command: "chronyc -n sources",
        output: "MS Name/IP address         Stratum Poll Reach LastRx Last sample\n" +
          "===============================================================================\n" +
          "#? PHC0                          0   0   377     1   +2ns[  +2ns] +/- 5032ns\n" +
          "^* 169.254.169.123               1   4   377     6  -1022ns[-1100ns] +/-  242us\n" +
          "^- 10.0.0.2                      2   6   377    35   +11us[  +11us] +/- 1.2ms",
      }],
    },
    {
      ...makeTarget({
        id: "m7a.large-1",
        label: "m7a.large 1 of 1",
        status: "failed",
        instanceId: "i-0ddd0000000000004",
        instanceType: "m7a.large",
        region: "us-east-1",
        expectedArchitecture: "x86_64",
        address: "10.0.1.24",
        launchedByRun: true,
        verdict: "error",
        failure: {
          stepId: "ena-build",
          stepType: "ena-build",
          kind: "command",
          message: "make exited 2 on 10.0.1.24",
        },
      }),
      diagnostics: [{
        layer: "build",
        summary: "amzn-drivers build failed",
        command: "ENA_PHC_INCLUDE=1 make",
        output: "ena_netdev.c:123:5: error: implicit declaration of function <foo> & 'bar'",
      }],
      warnings: ["driver lacks phc_enable; a build was attempted"],
    },
    makeTarget({
      id: "host-1",
      label: "10.1.2.3",
      status: "done",
      address: "10.1.2.3",
      launchedByRun: false,
      verdict: "functional",
      facts: functionalFacts(20000, 0.000001500),
    }),
  ];
}

/** A cleanup outcome: one terminated, one kept, one failed instance, a failed group. */
export function sampleCleanup(): CleanupOutcome {
  return {
    terminated: [{
      instanceId: "i-0aaa0000000000001",
      targetId: "c7i.large-1",
      label: "c7i.large 1 of 2",
      instanceType: "c7i.large",
      region: "us-east-1",
    }],
    kept: [{
      instanceId: "i-0aaa0000000000002",
      targetId: "c7i.large-2",
      label: "c7i.large 2 of 2",
      instanceType: "c7i.large",
      region: "us-east-1",
    }],
    failed: [{
      instanceId: "i-0ccc0000000000003",
      label: "c7g.large 1 of 1",
      region: "us-east-1",
      error: "UnauthorizedOperation from 198.51.100.7",
      command: "aws ec2 terminate-instances --region us-east-1 --instance-ids i-0ccc0000000000003",
    }],
    placementGroupsDeleted: [],
    placementGroupsFailed: [{
      name: "ptp-runner-tmp",
      error: "InvalidPlacementGroup.InUse",
      command: "aws ec2 delete-placement-group --region us-east-1 --group-name ptp-runner-tmp",
    }],
  };
}
