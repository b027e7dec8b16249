/**
 * `ForceCommand` entry for a real OpenSSH `sshd`: runs `$SSH_ORIGINAL_COMMAND`
 * through the simulated host model whose state is kept in a JSON file
 * (`--state FILE`, or env `PTP_SIM_STATE`). One process per SSH command; an
 * exclusive lock on `FILE.lock` keeps sessions of one host in order.
 *
 * When the model drops the network (driver unloaded, reboot) the entry kills
 * its sshd session process, so the client sees the connection die as on EC2;
 * while the network is down every new session is cut at once.
 *
 * Usage: `deno run -A sim/host/openssh-entry.ts --state /path/state.json`.
 * No npm imports (the entry runs as another user without the import map).
 * @module
 */
import { Machine } from "./model/machine.ts";
import { readStateFile, WallClock, writeStateFile } from "./openssh-state.ts";
import { runExec } from "./session.ts";

function argValue(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Kills the sshd session process above this one (skipping shells) so the connection drops. */
function dropConnection(): void {
  let pid = Deno.ppid;
  for (let hops = 0; hops < 4 && pid > 1; hops++) {
    let stat = "";
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      return;
    }
    const comm = /\((.*)\)/.exec(stat)?.[1] ?? "";
    if (comm.startsWith("sshd")) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch { /* already gone */ }
      return;
    }
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
}

async function main(): Promise<number> {
  const file = argValue("--state") ?? Deno.env.get("PTP_SIM_STATE");
  if (!file) {
    console.error(
      "openssh-entry: give --state FILE (or PTP_SIM_STATE): the simulated host's state file",
    );
    return 2;
  }
  const command = Deno.env.get("SSH_ORIGINAL_COMMAND");
  if (!command) {
    console.error(
      "openssh-entry: interactive shells are not simulated; run a command (ssh host CMD)",
    );
    return 1;
  }
  const lock = await Deno.open(`${file}.lock`, { create: true, write: true });
  await lock.lock(true);
  const saved = readStateFile(file);
  const clock = new WallClock(saved.clock.epochMs, saved.clock.speed);
  const session = new AbortController();
  let lifetime = new AbortController();
  let dropped = false;
  const save = () => writeStateFile(file, { state: saved.state, clock: saved.clock });
  const machine = new Machine(saved.state, clock, {
    networkDown: () => {
      dropped = true;
      session.abort(new Error("connection lost: network down"));
      save();
      dropConnection();
    },
    poweredOff: () => {
      lifetime.abort(new Error("host powered off"));
      lifetime = new AbortController();
    },
  });
  globalThis.addEventListener("unload", () => {
    save();
    lock.close();
  });
  for (const sig of ["SIGHUP", "SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => session.abort(new Error(`killed by ${sig}`)));
  }
  if (!machine.networkUp()) {
    dropConnection();
    return 255;
  }
  const encoder = new TextEncoder();
  const write = (stream: typeof Deno.stdout, text: string) => {
    if (dropped) return;
    try {
      const bytes = encoder.encode(text);
      let off = 0;
      while (off < bytes.length) off += stream.writeSync(bytes.subarray(off));
    } catch { /* client gone */ }
  };
  let stdinText: Promise<string> | undefined;
  const outcome = await runExec({
    command,
    machine,
    signal: session.signal,
    lifetime: lifetime.signal,
    io: {
      stdin: () => (stdinText ??= new Response(Deno.stdin.readable).text()),
      out: (s) => write(Deno.stdout, s),
      err: (s) => write(Deno.stderr, s),
    },
  });
  save();
  return "exitCode" in outcome ? outcome.exitCode : 255;
}

if (import.meta.main) {
  // Detached jobs (systemd-run, nohup, `&`) keep running after this; the
  // process exits when they are done, saving the state on `unload`.
  Deno.exitCode = await main();
}
