/**
 * The `yaml` library (npm `yaml`), loaded from its ES module build.
 *
 * Under Deno the package's `"node"` export condition selects its CommonJS
 * build (`dist/`, ~70 files loaded through Deno's `require` emulation), which
 * costs ~35 ms of every CLI start-up. The package also ships the same code as
 * ES modules (`browser/`, the `"default"` condition) but does not export that
 * path, so it is imported by URL, relative to where `yaml` resolves. Same
 * version, same API (`browser/index.js` re-exports `browser/dist/index.js`),
 * node positions and `LineCounter` included. Where that file cannot be
 * imported (e.g. a `deno compile` binary that did not embed it), the package's
 * own entry point is used.
 *
 * Import from here, not from `"yaml"`, on the CLI's start-up path (`import
 * type` from `"yaml"` is fine: it loads nothing).
 * @module
 */
import type * as Yaml from "yaml";

/**
 * URL of the `yaml` package's ES module entry point (`browser/index.js`),
 * found next to the `dist/index.js` that `"yaml"` resolves to.
 */
export function yamlEsmEntry(): string {
  return new URL("../browser/index.js", import.meta.resolve("yaml")).href;
}

async function loadYaml(): Promise<typeof Yaml> {
  try {
    return await import(yamlEsmEntry());
  } catch {
    return await import("yaml");
  }
}

/** The `yaml` module namespace (`parseDocument`, `LineCounter`, `isMap`, ...). */
export const yaml: typeof Yaml = await loadYaml();
