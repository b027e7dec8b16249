/**
 * `moto_server` for contract tests: found on PATH (preinstalled with python3
 * here; absent elsewhere, where the tests are skipped), started on a free
 * loopback port and stopped by its own process.
 * @module
 */

/** Path of `moto_server` on PATH, or undefined when it is not installed. */
export function motoServerPath(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const path = `${dir}/moto_server`;
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A running moto_server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `moto_server` (path from {@link motoServerPath}) on a free loopback
 * port and waits until it accepts connections (up to 20 s).
 * @throws Error when it does not accept connections in time (the server is stopped)
 */
export async function startMotoServer(path: string): Promise<MotoServer> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const process = new Deno.Command(path, {
    args: ["-H", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      process.kill("SIGTERM");
    } catch {
      // already exited
    }
    await process.status;
  };
  for (let i = 0; i < 400; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return { endpoint: `http://127.0.0.1:${port}`, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stop();
  throw new Error("moto_server did not start");
}
