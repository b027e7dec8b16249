import assert from "node:assert/strict";
import { AL2023_CHRONY_CONF } from "./fake-host.ts";
import {
  type ChronyPlanInput,
  confDirectories,
  directives,
  dropInContent,
  hasAmazonTimeSync,
  MARKER_LINE,
  planChronyChange,
  refclockLine,
} from "../../plugins/ptp/chrony-config.ts";

const ENA = "/dev/ptp_ena";
const LINE = "refclock PHC /dev/ptp_ena poll 0 delay 0.000010 prefer";
const NO_INCLUDE = "server 169.254.169.123 prefer iburst\ndriftfile /var/lib/chrony/drift\n";
const DEBIAN_CONF = [
  "# Welcome to the chrony configuration file.",
  "confdir /etc/chrony/conf.d",
  "pool 2.debian.pool.ntp.org iburst",
  "sourcedir /run/chrony-dhcp",
  "sourcedir /etc/chrony/sources.d",
  "keyfile /etc/chrony/chrony.keys",
  "driftfile /var/lib/chrony/chrony.drift",
  "",
].join("\n");

function plan(overrides: Partial<ChronyPlanInput>) {
  return planChronyChange({
    confPath: "/etc/chrony.conf",
    conf: AL2023_CHRONY_CONF,
    preferredConfDir: "/etc/chrony.d",
    dropIn: null,
    device: ENA,
    unit: "chronyd",
    ...overrides,
  });
}

/** Applies a plan's writes to `files` (path -> content). */
function apply(files: Map<string, string>, p: ReturnType<typeof plan>) {
  for (const w of p.writes) files.set(w.path, w.after);
}

Deno.test("refclockLine is exactly the line AWS documents, for any device", () => {
  assert.equal(refclockLine(ENA), LINE);
  assert.equal(
    refclockLine("/dev/ptp_refclock"),
    "refclock PHC /dev/ptp_refclock poll 0 delay 0.000010 prefer",
  );
});

Deno.test("confDirectories counts confdir and include DIR/*.conf, not sourcedir or comments", () => {
  assert.deepEqual(confDirectories("include /etc/chrony.d/*.conf\n"), ["/etc/chrony.d"]);
  assert.deepEqual(
    confDirectories("confdir /run/chrony.d /etc/chrony.d /usr/lib/chrony.d\n"),
    ["/run/chrony.d", "/etc/chrony.d", "/usr/lib/chrony.d"],
  );
  assert.deepEqual(confDirectories("sourcedir /etc/chrony.d\n"), []);
  assert.deepEqual(confDirectories("# include /etc/chrony.d/*.conf\n! confdir /x\n"), []);
  assert.deepEqual(confDirectories("include /etc/chrony/extra.conf\n"), [], "a single file");
  assert.deepEqual(confDirectories(DEBIAN_CONF), ["/etc/chrony/conf.d"]);
});

Deno.test("planChronyChange writes the managed drop-in with a header when chrony.conf includes a dir", () => {
  const p = plan({});
  assert.equal(p.method, "drop-in");
  assert.equal(p.file, "/etc/chrony.d/ptp-runner.conf");
  assert.equal(p.writes.length, 1);
  const [w] = p.writes;
  assert.equal(w.before, null);
  assert.match(w.after, /^# Managed by ptp-runner/);
  assert.equal(w.after.split("\n").filter((l) => l === LINE).length, 1);
});

Deno.test("planChronyChange uses the confdir chrony.conf really names (Debian layout)", () => {
  const p = plan({
    confPath: "/etc/chrony/chrony.conf",
    conf: DEBIAN_CONF,
    preferredConfDir: "/etc/chrony/conf.d",
    unit: "chrony",
  });
  assert.equal(p.method, "drop-in");
  assert.equal(p.file, "/etc/chrony/conf.d/ptp-runner.conf");
  assert.match(p.writes[0].after, /restart chrony to undo/);
  // The distribution's confdir line removed by the user: the line method, not a dead drop-in.
  const edited = DEBIAN_CONF.replace("confdir /etc/chrony/conf.d\n", "");
  const q = plan({ confPath: "/etc/chrony/chrony.conf", conf: edited, preferredConfDir: null });
  assert.equal(q.method, "line");
  assert.equal(q.file, "/etc/chrony/chrony.conf");
});

Deno.test("planChronyChange is unchanged once the drop-in is up to date", () => {
  const p = plan({ dropIn: dropInContent(ENA, "/etc/chrony.conf", "chronyd") });
  assert.equal(p.writes.length, 0);
  assert.equal(p.conflict, false);
});

Deno.test("without a confdir: a marker comment line of its own, then the refclock line", () => {
  const p = plan({ conf: NO_INCLUDE });
  assert.equal(p.method, "line");
  assert.equal(p.writes.length, 1);
  assert.equal(p.writes[0].after, `${NO_INCLUDE}${MARKER_LINE}\n${LINE}\n`);
  // chrony has no trailing comments: no directive may carry one.
  for (const d of directives(p.writes[0].after)) assert.equal(d.includes("#"), false, d);
  // A file without a final newline gets one before the marker.
  const q = plan({ conf: NO_INCLUDE.trimEnd() });
  assert.equal(q.writes[0].after, `${NO_INCLUDE}${MARKER_LINE}\n${LINE}\n`);
});

Deno.test("the line method is idempotent and replaces its own line in place for a new device", () => {
  const files = new Map([["/etc/chrony.conf", NO_INCLUDE]]);
  apply(files, plan({ conf: files.get("/etc/chrony.conf")! }));
  const once = files.get("/etc/chrony.conf")!;
  assert.equal(plan({ conf: once }).writes.length, 0);
  const moved = plan({ conf: `${once}makestep 1.0 3\n`, device: "/dev/ptp_refclock" });
  assert.equal(
    moved.writes[0].after,
    `${NO_INCLUDE}${MARKER_LINE}\n${refclockLine("/dev/ptp_refclock")}\nmakestep 1.0 3\n`,
  );
});

Deno.test("an old trailing-comment line of ptp-runner is replaced by the marker line form", () => {
  const legacy = `${NO_INCLUDE}${LINE} # added by ptp-runner\n`;
  const p = plan({ conf: legacy });
  assert.equal(p.writes[0].after, `${NO_INCLUDE}${MARKER_LINE}\n${LINE}\n`);
  // With a confdir now: the drop-in, and the old line removed from chrony.conf.
  const q = plan({ conf: `${AL2023_CHRONY_CONF}${LINE} # added by ptp-runner\n` });
  assert.deepEqual(q.writes.map((w) => w.path), [
    "/etc/chrony.d/ptp-runner.conf",
    "/etc/chrony.conf",
  ]);
  assert.equal(q.writes[1].after, AL2023_CHRONY_CONF);
});

Deno.test("planChronyChange never edits a user's own refclock for the device", () => {
  const same = plan({ conf: `${NO_INCLUDE}${LINE}\n` });
  assert.equal(same.writes.length, 0);
  assert.equal(same.conflict, false);
  const other = plan({ conf: `${NO_INCLUDE}${LINE} tai\n` });
  assert.equal(other.conflict, true);
  assert.match(other.reason, /does not edit the user's lines/);
});

Deno.test("hasAmazonTimeSync finds the server line only when active", () => {
  assert.equal(hasAmazonTimeSync(AL2023_CHRONY_CONF), true);
  assert.equal(hasAmazonTimeSync("# server 169.254.169.123\n"), false);
  assert.equal(hasAmazonTimeSync("pool 2.amazon.pool.ntp.org\n"), false);
});
