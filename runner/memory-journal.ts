/**
 * A {@link JournalApi} kept in memory: for commands that have no run journal
 * on disk (e.g. `sweep`) and for unit tests of steps.
 * @module
 */
import type { JournalApi, ResourceRecord } from "./types.ts";

/** An in-memory journal plus direct access to its stored values. */
export interface MemoryJournal extends JournalApi {
  /** The values stored with `put`, by key. */
  readonly values: Map<string, unknown>;
}

/**
 * Creates an empty in-memory journal.
 * @param dir what `dir` reports (no file is ever written there)
 */
export function memoryJournal(dir = ""): MemoryJournal {
  const resources: ResourceRecord[] = [];
  const values = new Map<string, unknown>();
  return {
    recordResource(r) {
      const i = resources.findIndex((x) => x.kind === r.kind && x.id === r.id);
      const rec = { createdAt: new Date().toISOString(), ...r } as ResourceRecord;
      if (i >= 0) resources[i] = rec;
      else resources.push(rec);
      return Promise.resolve();
    },
    updateResource(kind, id, state) {
      const r = resources.find((x) => x.kind === kind && x.id === id);
      if (r) r.state = state;
      return Promise.resolve();
    },
    resources: () => resources,
    put(key, value) {
      values.set(key, value);
      return Promise.resolve();
    },
    get: (key) => values.get(key),
    dir,
    values,
  };
}
