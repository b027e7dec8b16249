/**
 * Instances that already run when the simulator starts: a fleet for
 * `existing-hosts` (selected by tags across regions, reached over SSH or SSM
 * Run Command). Each is `running` from simulated second 0 with sshd up (no
 * boot wait), carries its group's tags, the simulator's key pair and, when
 * the group names one, an IAM instance profile; with a profile whose role has
 * AmazonSSMManagedInstanceCore (and a type whose AMI ships the agent) its SSM
 * agent is registered and Online from second 0 too. It has its own loopback
 * address and simulated host like a launched instance. In regions other than the home
 * region, which have no network of their own, the instances name the home
 * region's subnet and VPC ids.
 *
 * Cost per instance (measured on 2 cores): about 2 ms to create (mostly its
 * SSH host key) and about 90 KiB of memory, so 1000 take about 2 s and 90 MiB.
 * @module
 */
import { ValidationError } from "../../runner/errors.ts";
import type { SimCore } from "../aws/context.ts";
import { instanceProfileNamed } from "../aws/ec2/iam-instance-profile.ts";
import { type ExistingInstances, profileForImage } from "../profile.ts";
import { distributionFacts } from "../host/model/distribution.ts";
import type { SimKeyPair } from "./account.ts";
import { newResourceId } from "./ids.ts";
import type { SimInstance } from "./instance.ts";
import { SIM_IMAGES, SIM_REGIONS, SIM_SEED } from "./seed.ts";

/**
 * Creates the groups' instances, in order (group by group, round-robin over
 * each group's regions), so DescribeInstances lists them in that order.
 * @throws ValidationError for a type the catalogue lacks, a region the
 *   account does not have enabled or an IAM instance profile the account lacks
 *   (`ssm.iam_instance_profiles`)
 */
export function seedExistingInstances(
  core: SimCore,
  groups: readonly ExistingInstances[],
  keyPair: SimKeyPair,
): void {
  const enabled = SIM_REGIONS.filter((r) => r.optInStatus !== "not-opted-in")
    .map((r) => r.regionName);
  groups.forEach((group, index) => {
    const profile = core.catalogue.get(group.instance_type);
    if (!profile) {
      throw new ValidationError([{
        source: "existing_instances",
        key: `[${index}].instance_type`,
        message: `unknown instance type "${group.instance_type}"; use a catalogue type`,
      }]);
    }
    const regions = group.regions ?? [core.account.homeRegion];
    const unknown = regions.filter((r) => !enabled.includes(r));
    if (unknown.length > 0) {
      throw new ValidationError([{
        source: "existing_instances",
        key: `[${index}].regions`,
        message: `region(s) ${unknown.join(", ")} not enabled; use ${enabled.join(", ")}`,
      }]);
    }
    const iamProfile = group.iam_instance_profile === undefined
      ? undefined
      : instanceProfileNamed(core, group.iam_instance_profile);
    if (group.iam_instance_profile !== undefined && !iamProfile) {
      throw new ValidationError([{
        source: "existing_instances",
        key: `[${index}].iam_instance_profile`,
        message: `Invalid IAM Instance Profile name "${group.iam_instance_profile}"; use one of ${
          Object.keys(core.ssm.iam_instance_profiles).join(", ")
        }`,
      }]);
    }
    // They boot the AL2023 AMI of their architecture (its login user is ec2-user).
    const image = SIM_IMAGES.find((i) =>
      i.architecture === profile.architecture && i.distribution === "amazon-linux-2023"
    )!;
    const reservations = new Map(regions.map((r) => [r, newResourceId("r")]));
    // Running from the start: no boot wait, sshd up at once.
    const running = {
      ...profileForImage(profile, image.distribution),
      boot_seconds: 0,
      ssh_delay_seconds: 0,
    };
    for (let n = 0; n < group.count; n++) {
      const region = regions[n % regions.length];
      const state = core.account.region(region);
      const instance: SimInstance = {
        instanceId: newResourceId("i"),
        reservationId: reservations.get(region)!,
        instanceType: group.instance_type,
        architecture: profile.architecture,
        imageId: image.imageId,
        keyName: keyPair.keyName,
        subnetId: SIM_SEED.subnetId,
        vpcId: SIM_SEED.vpcId,
        availabilityZone: `${region}${SIM_SEED.availabilityZone}`,
        securityGroups: [{
          groupId: SIM_SEED.sshSecurityGroupId,
          groupName: SIM_SEED.sshSecurityGroupName,
        }],
        address: core.account.addresses.allocate(),
        amiLaunchIndex: n,
        metadataOptions: {
          httpTokens: "required",
          httpEndpoint: "enabled",
          httpPutResponseHopLimit: 2,
          instanceMetadataTags: "disabled",
          httpProtocolIpv6: "disabled",
        },
        ...(iamProfile ? { iamInstanceProfile: iamProfile } : {}),
        tags: { ...group.tags },
        launchedAt: 0,
        bootSeconds: 0,
        ssmRegisteredAt: 0,
      };
      instance.host = core.fleet?.launch({
        instanceId: instance.instanceId,
        instanceType: group.instance_type,
        address: instance.address,
        profile: running,
        authorizedKey: keyPair.publicKey,
        loginUser: distributionFacts(image.distribution).loginUser,
      });
      state.instances.set(instance.instanceId, instance);
      const reservation = state.reservations.get(instance.reservationId);
      if (reservation) reservation.instanceIds.push(instance.instanceId);
      else {
        state.reservations.set(instance.reservationId, {
          reservationId: instance.reservationId,
          instanceIds: [instance.instanceId],
        });
      }
    }
  });
}
