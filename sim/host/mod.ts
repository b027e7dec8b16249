/**
 * Simulated Amazon Linux 2023 hosts: a behavioural model of each instance
 * (file system, ENA driver, PTP clocks, udev, chronyd, packages) reachable
 * over real SSH (ssh2 `Server`, in-process). See `sim/README.md`, section
 * "Simulated hosts".
 * @module
 */
export { createHostFleet, type HostFleetOptions, type SimHostFleetImpl } from "./fleet.ts";
export { SimHost, type SimHostOptions } from "./instance.ts";
export { type HostClock, Machine } from "./model/machine.ts";
export { initialHostState } from "./model/initial.ts";
export type { HostState } from "./model/state.ts";
export { runExec } from "./session.ts";
