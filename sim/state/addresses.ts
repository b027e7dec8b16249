/**
 * Loopback addresses for simulated instances: `127.0.0.2`, `127.0.0.3`, …,
 * then `127.0.1.1` and on, never handing out the same one twice within a
 * simulator (all of 127.0.0.0/8 is loopback on Linux, so each instance can
 * listen on its own address without setup).
 * @module
 */

/** Hands out unique loopback addresses, starting at `127.0.0.2`. */
export class LoopbackAddressPool {
  #next = 2;

  /**
   * The next unused address.
   * @throws RangeError after 127.255.255.254 (about 16 million instances).
   */
  allocate(): string {
    // Skip .0 and .255 in the last octet (network/broadcast-looking addresses).
    while (this.#next % 256 === 0 || this.#next % 256 === 255) this.#next++;
    const n = this.#next++;
    if (n >= 256 ** 3) throw new RangeError("the loopback address range 127.0.0.0/8 is exhausted");
    return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }
}
