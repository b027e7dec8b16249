/**
 * The `ssm:` profiles-file settings and the per-type `ssm_agent` default:
 * defaults when absent, a user's table of IAM instance profiles, and a
 * distribution whose AMI has no agent never registering.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DescribeInstanceInformationCommand } from "@aws-sdk/client-ssm";
import { defaultProfiles, loadProfiles, parseProfiles } from "../../../sim/profiles.ts";
import { tempDir } from "../../helpers/temp.ts";
import { startSsmFixture } from "./helpers.ts";

Deno.test("the built-in catalogue has the default SSM settings: ssm-core with the policy, no-ssm without", () => {
  const { ssm } = defaultProfiles();
  assert.deepEqual(ssm?.iam_instance_profiles["ssm-core"].policies, [
    "AmazonSSMManagedInstanceCore",
  ]);
  assert.deepEqual(ssm?.iam_instance_profiles["no-ssm"].policies, []);
  assert.ok((ssm?.requests_per_second ?? 0) > 0);
});

Deno.test("ssm_agent defaults per distribution: Amazon Linux and Ubuntu have it, Debian and RHEL do not", () => {
  const parsed = parseProfiles(
    `instance_types:
  a.large: { architecture: x86_64, phc_support: supported }
  u.large: { architecture: x86_64, phc_support: supported, distribution: ubuntu-24.04 }
  d.large: { architecture: x86_64, phc_support: supported, distribution: debian-12 }
  r.large: { architecture: x86_64, phc_support: supported, distribution: rhel-9 }
  e.large: { architecture: x86_64, phc_support: supported, distribution: debian-12, ssm_agent: true }
`,
    "test.yaml",
  );
  const agent = Object.fromEntries(
    Object.entries(parsed.instance_types).map(([k, v]) => [k, v.ssm_agent]),
  );
  assert.deepEqual(agent, {
    "a.large": true,
    "u.large": true,
    "d.large": false,
    "r.large": false,
    "e.large": true,
  });
});

Deno.test("a profiles file's ssm section replaces the settings; unknown keys are refused", async () => {
  const dir = await tempDir("ssm-settings-");
  const file = join(dir, "profiles.yaml");
  await Deno.writeTextFile(
    file,
    `ssm:
  registration_seconds: 90
  iam_instance_profiles:
    fleet-role: { role: fleet, policies: [AmazonSSMManagedInstanceCore] }
instance_types: {}
`,
  );
  const loaded = await loadProfiles(file);
  assert.equal(loaded.ssm?.registration_seconds, 90);
  assert.deepEqual(Object.keys(loaded.ssm!.iam_instance_profiles), ["fleet-role"]);
  assert.throws(
    () => parseProfiles("ssm: { rate: 3 }\ninstance_types: {}\n", "bad.yaml"),
    /unknown key "rate"/,
  );
});

Deno.test("an instance of a distribution without the agent never registers, even with ssm-core", async () => {
  const dir = await tempDir("ssm-settings-");
  const file = join(dir, "profiles.yaml");
  await Deno.writeTextFile(
    file,
    `instance_types:
  m7i.large: { architecture: x86_64, phc_support: supported, distribution: debian-12 }
`,
  );
  const f = await startSsmFixture({ profilesFile: file });
  try {
    const [debian] = await f.launch({ InstanceType: "m7i.large" });
    const [al2023] = await f.launch();
    await f.waitForPing(al2023, "Online");
    const ids = (await f.ssm.send(new DescribeInstanceInformationCommand({})))
      .InstanceInformationList!.map((i) => i.InstanceId);
    assert.deepEqual(ids, [al2023]);
    assert.ok(!ids.includes(debian));
  } finally {
    await f.close();
  }
});
