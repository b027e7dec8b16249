/**
 * The start-up floor of `validate`: what its two libraries cost before any
 * of the project's own work. Imports zod and the `yaml` library (the same
 * ES module build the CLI loads, runner/pipeline/yaml-library.ts), parses the
 * pipeline file once with positions (as `parseYamlText` does) and runs one
 * zod parse over the result. `deno task bench` times this process next to
 * `validate` and `deno eval 0` (bench/startup.ts): `validate` can get no
 * closer to `deno eval 0` than this.
 *
 * Usage: `deno run -P=cli bench/startup-floor.ts <pipeline.yaml>`
 * @module
 */
import { z } from "zod";
import { yaml } from "../runner/pipeline/yaml-library.ts";

const [file] = Deno.args;
if (!file) throw new Error("usage: startup-floor.ts <pipeline.yaml>");
const text = await Deno.readTextFile(file);
const lineCounter = new yaml.LineCounter();
const document = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
const parsed = z.record(z.string(), z.unknown()).safeParse(document.toJS());
if (!parsed.success) throw new Error(`${file}: not a mapping`);
