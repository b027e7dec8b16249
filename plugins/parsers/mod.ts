/**
 * Parsers of the command output host steps read, one module per tool. Pure
 * functions: parse by meaning (labels, header columns), tolerate spacing,
 * tabs, missing and extra lines; never throw on unexpected text.
 * @module
 */
export * from "./modinfo.ts";
export * from "./ethtool.ts";
export * from "./ptp-devices.ts";
export * from "./chronyc.ts";
export * from "./chronyd-log.ts";
export * from "./systemctl.ts";
export * from "./ip-route.ts";
export { parseInterval, parseSecondsWithUnit } from "./units.ts";
export * from "./kernel-config.ts";
