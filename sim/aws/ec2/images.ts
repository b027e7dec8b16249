/**
 * DescribeImages over the simulated region's images (the AL2023 AMIs the SSM
 * public parameters point at, and other distributions' AMIs).
 * @module
 */
import { SIM_ACCOUNT_ID, type SimImage } from "../../state/account.ts";
import { checkDryRun, type Ec2Handler } from "../context.ts";
import { AwsApiError } from "../errors.ts";
import { strings } from "../query.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, type FilterResolvers } from "./filters.ts";

/** AMI ids look like `ami-` and 8 or 17 hex digits. */
export const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** The `imagesSet` item of one image. */
export function imageInfo(image: SimImage): Record<string, XmlValue> {
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
    imageState: "available",
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: true,
    architecture: image.architecture,
    imageType: "machine",
    name: image.name,
    description: image.description,
    imageOwnerAlias: image.ownerAlias,
    platformDetails: image.platformDetails,
    usageOperation: "RunInstances",
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    blockDeviceMapping: [{
      deviceName: "/dev/xvda",
      ebs: { deleteOnTermination: true, volumeSize: 8, volumeType: "gp3", encrypted: false },
    }],
    virtualizationType: "hvm",
    hypervisor: "xen",
    enaSupport: true,
    sriovNetSupport: "simple",
    bootMode: "uefi-preferred",
    imdsSupport: "v2.0",
  };
}

const RESOLVERS: FilterResolvers<SimImage> = {
  "image-id": (i) => [i.imageId],
  "name": (i) => [i.name],
  "architecture": (i) => [i.architecture],
  "owner-alias": (i) => [i.ownerAlias],
  "owner-id": (i) => [i.ownerId],
  "state": () => ["available"],
  "is-public": () => ["true"],
  "image-type": () => ["machine"],
  "root-device-type": () => ["ebs"],
  "virtualization-type": () => ["hvm"],
  "description": (i) => [i.description],
  "platform-details": (i) => [i.platformDetails],
};

/**
 * DescribeImages: `ImageId.N`, `Owner.N` (`amazon`, `self`, account ids) and filters.
 * @throws AwsApiError `InvalidAMIID.Malformed` / `InvalidAMIID.NotFound` for requested ids.
 */
export const describeImages: Ec2Handler = (call) => {
  const ids = strings(call.params, "ImageId");
  for (const id of ids) {
    if (!AMI_ID.test(id)) {
      throw new AwsApiError("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);
    }
  }
  const missing = ids.filter((id) => !call.state.images.has(id));
  if (missing.length > 0) {
    throw new AwsApiError(
      "InvalidAMIID.NotFound",
      `The image id '[${missing.join(", ")}]' does not exist`,
    );
  }
  let images = ids.length > 0
    ? ids.map((id) => call.state.images.get(id)!)
    : [...call.state.images.values()];
  const owners = strings(call.params, "Owner");
  if (owners.length > 0) {
    images = images.filter((i) =>
      owners.some((o) =>
        o === i.ownerId || (o === "amazon" && i.ownerAlias === "amazon") ||
        (o === "self" && i.ownerId === SIM_ACCOUNT_ID)
      )
    );
  }
  images = applyFilters(images, call.params, RESOLVERS);
  checkDryRun(call);
  return { imagesSet: images.map(imageInfo) };
};
