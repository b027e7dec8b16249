import assert from "node:assert/strict";
import { StepError } from "../../runner/errors.ts";
import {
  installCommand,
  installPackages,
  missingPackages,
  packageQueryCommand,
} from "../../plugins/ptp/packages.ts";
import { makeTarget } from "../helpers/context.ts";
import { FakeShell } from "../ssh/fake-shell.ts";

const signal = new AbortController().signal;
const DNF = { package_manager: "dnf" } as const;
const YUM = { package_manager: "yum" } as const;
const APT = { package_manager: "apt-get" } as const;

Deno.test("package commands per package manager", () => {
  assert.equal(packageQueryCommand("dnf", "chrony"), "rpm -q chrony");
  assert.equal(packageQueryCommand("yum", "chrony"), "rpm -q chrony");
  assert.equal(packageQueryCommand("apt-get", "chrony"), "dpkg-query -W -f='${Status}' chrony");
  assert.equal(installCommand("dnf", ["gcc", "make"]), "dnf install -y gcc make");
  assert.equal(installCommand("yum", ["gcc"]), "yum install -y gcc");
  assert.equal(
    installCommand("apt-get", ["build-essential", "linux-headers-6.1.0-37-cloud-amd64"]),
    "env DEBIAN_FRONTEND=noninteractive apt-get install -y build-essential " +
      "linux-headers-6.1.0-37-cloud-amd64",
  );
});

Deno.test("missingPackages on apt counts only 'install ok installed' as installed", async () => {
  const shell = new FakeShell([
    ["dpkg-query -W -f='${Status}' chrony", { stdout: "install ok installed" }],
    // Removed but its config files left: not installed.
    ["dpkg-query -W -f='${Status}' ethtool", { stdout: "deinstall ok config-files" }],
    ["dpkg-query -W -f='${Status}' git", {
      stderr: "dpkg-query: no packages found matching git\n",
      exitCode: 1,
    }],
  ]);
  assert.deepEqual(await missingPackages(shell, APT, ["chrony", "ethtool", "git"], signal), [
    "ethtool",
    "git",
  ]);
});

Deno.test("missingPackages on yum hosts asks rpm -q", async () => {
  const shell = new FakeShell([
    ["rpm -q chrony", { stdout: "chrony-4.2-1.amzn2.0.3.x86_64\n" }],
    ["rpm -q gcc", { stdout: "package gcc is not installed\n", exitCode: 1 }],
  ]);
  assert.deepEqual(await missingPackages(shell, YUM, ["chrony", "gcc"], signal), ["gcc"]);
});

Deno.test("installPackages on apt runs apt-get update once when a package cannot be located", async () => {
  let updated = false;
  const shell = new FakeShell([
    ["apt-get update", { stdout: "Reading package lists... Done\n" }],
    [/^env DEBIAN_FRONTEND=noninteractive apt-get install -y git$/, {
      get stderr() {
        return updated ? "" : "E: Unable to locate package git\n";
      },
      get exitCode() {
        return updated ? 0 : 100;
      },
    }],
    ["dpkg-query -W -f='${Status}' git", { stdout: "install ok installed" }],
  ]);
  const run = shell.run.bind(shell);
  shell.run = (command, options) => {
    const result = run(command, options);
    if (command === "apt-get update") updated = true;
    return result;
  };
  await installPackages(makeTarget({ id: "t", label: "t" }), shell, APT, ["git"], signal);
  assert.deepEqual(shell.commands, [
    "env DEBIAN_FRONTEND=noninteractive apt-get install -y git",
    "apt-get update",
    "env DEBIAN_FRONTEND=noninteractive apt-get install -y git",
    "dpkg-query -W -f='${Status}' git",
  ]);
  assert.ok(shell.options.slice(0, 3).every((o) => o.sudo));
});

Deno.test("installPackages diagnoses a failing dnf in layer package and names the manager", async () => {
  const shell = new FakeShell([
    ["dnf install -y chrony", {
      stderr: "Error: Failed to download metadata for repo 'amazonlinux'\n",
      exitCode: 1,
    }],
  ]);
  const target = makeTarget({ id: "t", label: "t" });
  const error = await installPackages(target, shell, DNF, ["chrony"], signal).catch((e) => e);
  assert.ok(error instanceof StepError);
  assert.match(error.message, /dnf could not install chrony/);
  assert.equal(target.diagnostics[0].layer, "package");
});
