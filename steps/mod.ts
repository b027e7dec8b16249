/**
 * The built-in step plugins, imported statically so `deno compile` embeds
 * them. Each `steps/<type>.ts` holds the whole step (schemas, metadata and
 * `run`); a step whose body needs a heavy package (AWS SDK, ssh2) imports one
 * module named for what it does lazily inside `run`.
 * @module
 */
import type { StepPlugin } from "../runner/types.ts";
import discover from "./discover.ts";
import launch from "./launch.ts";
import existingHosts from "./existing-hosts.ts";
import connect from "./connect.ts";
import detectArch from "./detect-arch.ts";
import enaCheck from "./ena-check.ts";
import enaBuild from "./ena-build.ts";
import installPtp from "./install-ptp.ts";
import enableHwts from "./enable-hwts.ts";
import configureChrony from "./configure-chrony.ts";
import verify from "./verify.ts";
import report from "./report.ts";
import cleanup from "./cleanup.ts";

/** Every built-in step plugin, in pipeline order (as `ptp-runner steps` lists them). */
export const builtinSteps: StepPlugin[] = [
  discover,
  launch,
  existingHosts,
  connect,
  detectArch,
  enaCheck,
  enaBuild,
  installPtp,
  enableHwts,
  configureChrony,
  verify,
  report,
  cleanup,
];
