/**
 * The run's lazy service registry (AWS clients, SSH sessions): one instance
 * per key, created on first use, closed at run end.
 * @module
 */
import type { ServiceRegistry } from "./types.ts";

type Closable = { close?: () => unknown; [Symbol.asyncDispose]?: () => PromiseLike<void> };

/**
 * A {@link ServiceRegistry} that can close everything it created.
 *
 * Concurrent `get` calls for one key share one creation. A creation that
 * throws (synchronously or not) is not cached, so a later `get` tries again.
 */
export class Services implements ServiceRegistry {
  #entries = new Map<string, Promise<unknown>>();
  #order: string[] = [];
  #onCloseError: (key: string, error: unknown) => void;

  /** @param onCloseError Called for each service whose close fails (logged, never thrown). */
  constructor(onCloseError: (key: string, error: unknown) => void = () => {}) {
    this.#onCloseError = onCloseError;
  }

  /** See {@link ServiceRegistry.get}. Rejects with whatever `create` throws. */
  get<T>(key: string, create: () => T | Promise<T>): Promise<T> {
    const existing = this.#entries.get(key);
    if (existing) return existing as Promise<T>;
    const created = new Promise<T>((resolve) => resolve(create()));
    this.#entries.set(key, created);
    this.#order.push(key);
    created.catch(() => {
      if (this.#entries.get(key) === created) {
        this.#entries.delete(key);
        this.#order = this.#order.filter((k) => k !== key);
      }
    });
    return created;
  }

  /** Keys of the services created so far, in creation order. */
  keys(): string[] {
    return [...this.#order];
  }

  /**
   * Closes every service having `close()` or `[Symbol.asyncDispose]()`, newest
   * first, and empties the registry. Never throws.
   */
  closeAll(): Promise<void> {
    return this.closeWhere(() => true);
  }

  /**
   * Closes (newest first) and forgets the services whose key matches, e.g.
   * the services of one target when it finishes. Never throws.
   */
  async closeWhere(matches: (key: string) => boolean): Promise<void> {
    const keys = this.#order.filter(matches).reverse();
    this.#order = this.#order.filter((key) => !matches(key));
    for (const key of keys) {
      const entry = this.#entries.get(key);
      this.#entries.delete(key);
      let service: Closable | undefined;
      try {
        service = await entry as Closable | undefined;
      } catch {
        continue; // creation failed: nothing to close
      }
      try {
        if (service && typeof service === "object") {
          if (typeof service.close === "function") await service.close();
          else if (typeof service[Symbol.asyncDispose] === "function") {
            await service[Symbol.asyncDispose]!();
          }
        }
      } catch (error) {
        this.#onCloseError(key, error);
      }
    }
  }
}
