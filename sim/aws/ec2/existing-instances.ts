/**
 * Instances running from the start (profiles file `existing_instances`,
 * `startSimulator({ existingInstances })`): launched through the RunInstances
 * handler itself at simulated time 0 in the home region, with the AMI of the
 * type's architecture, the pre-created subnet, SSH security group and key
 * pair, the entry's tags and IAM instance profile. So they boot, serve SSH
 * and (with a profile carrying AmazonSSMManagedInstanceCore) register with
 * SSM exactly like instances a run launches.
 * @module
 */
import type { ExistingInstances } from "../../profile.ts";
import { SIM_IMAGES, SIM_SEED } from "../../state/seed.ts";
import type { SimCore } from "../context.ts";
import { expandQuery } from "../query.ts";
import { runInstances } from "./run-instances.ts";

/**
 * Launches every entry in `region` (the home region).
 * @throws AwsApiError as RunInstances would (unknown instance type or IAM profile).
 */
export async function launchExistingInstances(
  core: SimCore,
  region: string,
  entries: readonly ExistingInstances[],
): Promise<void> {
  for (const entry of entries) {
    const architecture = core.catalogue.get(entry.instance_type)?.architecture ?? "x86_64";
    const image = SIM_IMAGES.find((i) => i.architecture === architecture)!;
    const flat: Record<string, string> = {
      Action: "RunInstances",
      ImageId: image.imageId,
      InstanceType: entry.instance_type,
      MinCount: String(entry.count),
      MaxCount: String(entry.count),
      SubnetId: SIM_SEED.subnetId,
      "SecurityGroupId.1": SIM_SEED.sshSecurityGroupId,
      KeyName: SIM_SEED.keyName,
    };
    if (entry.iam_instance_profile !== undefined) {
      flat["IamInstanceProfile.Name"] = entry.iam_instance_profile;
    }
    const tags = Object.entries(entry.tags);
    if (tags.length > 0) {
      flat["TagSpecification.1.ResourceType"] = "instance";
      tags.forEach(([key, value], i) => {
        flat[`TagSpecification.1.Tag.${i + 1}.Key`] = key;
        flat[`TagSpecification.1.Tag.${i + 1}.Value`] = value;
      });
    }
    await runInstances({
      action: "RunInstances",
      params: expandQuery(flat),
      region,
      state: core.account.region(region),
      core,
      now: core.clock.now(),
    });
  }
}
