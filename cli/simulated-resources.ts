/**
 * The resources of a `--simulate` run live in the simulator inside the CLI
 * process and end with it: once the run is over, its journal records them as
 * released, so `ptp-runner runs` does not list them as left behind and never
 * suggests a `cleanup --run` that could only answer "not found".
 * @module
 */
import type { JournalApi } from "../runner/types.ts";

/**
 * Records every resource of the run that is not yet released (created, kept,
 * release-failed) as released: the in-process simulator that held it stops
 * with the run.
 * @returns how many records changed
 * @throws Error when the journal cannot be written
 */
export async function releaseSimulatedResources(
  journal: Pick<JournalApi, "resources" | "updateResource">,
): Promise<number> {
  const open = journal.resources().filter((r) => r.state !== "released");
  for (const resource of open) await journal.updateResource(resource.kind, resource.id, "released");
  return open.length;
}
