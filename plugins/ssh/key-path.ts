/**
 * Private key paths as pipeline inputs: `~` expansion and a schema that
 * refuses a missing file before anything runs. Light (no ssh2), so step
 * definitions can use it.
 * @module
 */
import { z } from "zod";
import { StepError } from "../../runner/errors.ts";

/**
 * Expands a leading `~` or `~/` to the home directory (`HOME`, else `USERPROFILE`).
 * @throws StepError kind `config` when the path starts with `~` and no home directory is set.
 */
export function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) {
    throw new StepError("config", `cannot expand "~" in ${path}: HOME is not set`);
  }
  return home + path.slice(1);
}

/** Why `path` is not a readable file, or null when it is one. */
function keyFileProblem(path: string): string | null {
  let absolute: string;
  try {
    absolute = expandHome(path);
  } catch (error) {
    return (error as Error).message;
  }
  try {
    const info = Deno.statSync(absolute);
    return info.isFile ? null : `${path} is not a file`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `no such file: ${path}`;
    if (error instanceof Deno.errors.PermissionDenied) {
      return `cannot read ${path}: permission denied`;
    }
    return `cannot read ${path}: ${(error as Error).message}`;
  }
}

/**
 * Schema of a private key path input: a non-empty string naming an existing
 * file (`~` allowed). Checked when the pipeline is validated and, for values
 * from inputs, before the run starts, so a typo never gets as far as AWS.
 */
export function privateKeyPath() {
  return z.string().min(1, "give the path of the private key file").superRefine((path, ctx) => {
    const problem = keyFileProblem(path);
    if (problem) {
      ctx.addIssue({
        code: "custom",
        message: `${problem} (the private key of the EC2 key pair, e.g. ~/.ssh/my-key.pem)`,
      });
    }
  });
}
