/**
 * Simulated `ena.ko` files: the file content carries what the module is
 * (version, whether it was built with `ENA_PHC_INCLUDE=1`), so copying,
 * `depmod` and `modinfo` behave as on a real host. Also the `modinfo ena`
 * text in the format of `shared/samples/modinfo-ena-al2023-6.1.27.txt`.
 *
 * Domain source: PTP.md section 2 (only a driver built with `ENA_PHC_INCLUDE=1`
 * has `parm: phc_enable`; upstream kernels print no `version:` line).
 * @module
 */
import type { EnaModuleInfo } from "./state.ts";

const MAGIC = "\x7fELF simulated kernel module: ena";

/** Version of the driver a fresh amzn-drivers clone builds. */
export const AMZN_DRIVERS_VERSION = "2.16.1g";

/** Serializes a module description as the content of an `ena.ko` file. */
export function encodeEnaModule(info: EnaModuleInfo): string {
  return [
    MAGIC,
    `version=${info.version ?? ""}`,
    `phc_parameter=${info.phcParameter ? 1 : 0}`,
    `out_of_tree=${info.outOfTree ? 1 : 0}`,
    `srcversion=${info.srcversion}`,
    "",
  ].join("\n");
}

/** Reads a module description back; null when the content is not an `ena.ko`. */
export function decodeEnaModule(content: string): EnaModuleInfo | null {
  if (!content.startsWith(MAGIC)) return null;
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(content)?.[1] ?? "";
  return {
    version: field("version") || null,
    phcParameter: field("phc_parameter") === "1",
    outOfTree: field("out_of_tree") === "1",
    srcversion: field("srcversion"),
  };
}

/** True when a version string like `2.15.0g` is at least major.minor. */
export function enaVersionAtLeast(version: string | null, major: number, minor: number): boolean {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/**
 * `modinfo ena` text for a module file: `filename`, `version` (omitted when
 * null), license, description, author, srcversion, alias, depends, `name`,
 * `vermagic` and `parm:` lines (`phc_enable` only when built with PHC).
 */
export function formatModinfo(path: string, info: EnaModuleInfo, kernel: string): string {
  const row = (k: string, v: string) => `${(k + ":").padEnd(16)}${v}`;
  const out = [row("filename", path)];
  if (info.version) out.push(row("version", info.version));
  out.push(
    row("license", "GPL"),
    row("description", "Elastic Network Adapter (ENA)"),
    row("author", "Amazon.com, Inc. or its affiliates"),
    row("srcversion", info.srcversion),
    row("alias", "pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*"),
    row("alias", "pci:v00001D0Fd0000EC20sv*sd*bc*sc*i*"),
    row("alias", "pci:v00001D0Fd00001EC2sv*sd*bc*sc*i*"),
    row("alias", "pci:v00001D0Fd00000EC2sv*sd*bc*sc*i*"),
    row("alias", "pci:v00001D0Fd00000051sv*sd*bc*sc*i*"),
    row("depends", "ptp"),
    row("retpoline", "Y"),
    row("intree", info.outOfTree ? "N" : "Y"),
    row("name", "ena"),
    row("vermagic", `${kernel} SMP preempt mod_unload modversions `),
    row("parm", "debug:Debug level (0=none,...,16=all) (int)"),
    row(
      "parm",
      "rx_queue_size:Rx queue size. The size should be a power of 2. Max value is 8K (int)",
    ),
    row(
      "parm",
      "force_large_llq_header:Increases maximum supported header size in LLQ mode to 224 bytes, while reducing the maximum TX queue size by half. (int)",
    ),
    row(
      "parm",
      "num_io_queues:Sets number of RX/TX queues to allocate to device. The maximum value depends on the device and number of online CPUs. (int)",
    ),
    row("parm", "enable_bql:Enable BQL. (int)"),
    row(
      "parm",
      "lpc_size:Each local page cache (lpc) holds N * 1024 pages. This parameter sets N which is rounded up to a multiplier of 2. If zero, the page cache is disabled. (uint)",
    ),
  );
  if (info.phcParameter) out.push(row("parm", "phc_enable:Enable PHC. (int)"));
  return out.join("\n") + "\n";
}
