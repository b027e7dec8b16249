/**
 * The console output (`GetConsoleOutput`) of a simulated AL2023 instance:
 * kernel boot lines, cloud-init's progress, and the SSH host key block that
 * cloud-init writes through `write-ssh-key-fingerprints` (lines prefixed
 * `ec2: `), so a client can verify the host key instead of trusting it.
 *
 * Domain source: PTP.md section 7 (markers `-----BEGIN SSH HOST KEY
 * FINGERPRINTS-----` ... and `-----BEGIN SSH HOST KEY KEYS-----` ...; lines
 * `256 SHA256:<base64> no comment (ED25519)`).
 * @module
 */
import type { HostKey } from "./host-key.ts";

/** What the console text is made of. */
export interface ConsoleInput {
  instanceId: string;
  kernel: string;
  hostname: string;
  hostKey: HostKey;
  /** Wall-clock date of the boot. */
  bootDate: Date;
  /** Number of boots so far (the block repeats after each boot, as on EC2). */
  bootCount: number;
}

function syslogDate(d: Date): string {
  const mon = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${mon} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)}`;
}

/** The console text after boot (the caller returns "" before the first boot). */
export function consoleText(c: ConsoleInput): string {
  const d = syslogDate(c.bootDate);
  const once = [
    `[    0.000000] Linux version ${c.kernel} (mockbuild@ip-10-0-47-110) (gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.41-50.amzn2023.0.3) #1 SMP PREEMPT_DYNAMIC`,
    `[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt1)/boot/vmlinuz-${c.kernel} root=UUID=2e5a7a8f-3c1d-4f0e-9b8a-6d7e8f9a0b1c ro console=tty0 console=ttyS0,115200n8 nvme_core.io_timeout=4294967295 rd.emergency=poweroff rd.shell=0 selinux=1 security=selinux quiet`,
    "[    1.104512] ena 0000:00:05.0: ENA device version: 0.10",
    "[    1.106231] ena 0000:00:05.0: ENA controller version: 0.0.1 implementation version 1",
    `[    4.210034] cloud-init[1579]: Cloud-init v. 22.2.2 running 'init' at ${c.bootDate.toUTCString()}. Up 4.21 seconds.`,
    "[    4.402217] cloud-init[1579]: ci-info: ++++++++++++++++++++++++++++++++++++++Net device info+++++++++++++++++++++++++++++++++++++++",
    `[    5.733021] cloud-init[1579]: Generating public/private ed25519 key pair.`,
    `[    5.740133] cloud-init[1579]: The key fingerprint is:`,
    `[    5.741902] cloud-init[1579]: ${c.hostKey.fingerprint} root@${c.hostname}`,
    `${c.hostname.split(".")[0]} login: `,
    `<14>${d} cloud-init: #############################################################`,
    `<14>${d} cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----`,
    `<14>${d} cloud-init: 256 ${c.hostKey.fingerprint} no comment (ED25519)`,
    `<14>${d} cloud-init: -----END SSH HOST KEY FINGERPRINTS-----`,
    `<14>${d} cloud-init: #############################################################`,
    "-----BEGIN SSH HOST KEY KEYS-----",
    c.hostKey.publicKey,
    "-----END SSH HOST KEY KEYS-----",
    `[    7.904113] cloud-init[1661]: Cloud-init v. 22.2.2 finished at ${c.bootDate.toUTCString()}. Datasource DataSourceEc2Local.  Up 7.90 seconds`,
  ];
  return once.join("\n") + "\n";
}
