/**
 * The image each instance type boots: the latest Amazon Linux 2023 AMI for its
 * architecture from the SSM public parameters, or a given `ami_id` whose
 * architecture is checked against every type (RunInstances rejects a mismatch).
 * Source: PTP.md section 7; SSM parameters
 * `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{x86_64,arm64}`;
 * EC2 API Reference "DescribeImages".
 * @module
 */
import { DescribeImagesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { StepError } from "../../../runner/errors.ts";
import { isAbort, isNotFoundOrInvalid, toStepError } from "../shared/aws-errors.ts";
import type { ImageIdentity } from "./image-login-user.ts";

/** SSM public parameter holding the latest AL2023 AMI id of an architecture. */
export function al2023Parameter(architecture: "x86_64" | "arm64"): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/**
 * Latest AL2023 AMI id per architecture (one `GetParameter` per architecture needed).
 * @throws StepError when SSM refuses or the parameter is missing in the region.
 */
export async function resolveAl2023Amis(
  ssm: SSMClient,
  architectures: readonly ("x86_64" | "arm64")[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const amis = new Map<string, string>();
  await Promise.all([...new Set(architectures)].map(async (arch) => {
    const name = al2023Parameter(arch);
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: name }), { abortSignal: signal });
      const value = out.Parameter?.Value;
      if (!value) throw new StepError("config", `SSM parameter ${name} has no value`);
      amis.set(arch, value);
    } catch (error) {
      if (isAbort(error, signal)) throw signal.reason ?? error;
      throw toStepError(error, `read the AL2023 AMI id from ${name}`, "ssm:GetParameter");
    }
  }));
  return amis;
}

/** What launch needs of a given AMI: its architecture and how it is identified. */
export interface DescribedImage extends ImageIdentity {
  /** EC2 architecture (`x86_64`, `arm64`, ...). */
  architecture: string;
}

/**
 * The architecture, name, description, owner and `PlatformDetails` of a given AMI.
 * @throws StepError `config` naming `ami_id` when it does not exist.
 */
export async function describeImage(
  ec2: EC2Client,
  imageId: string,
  signal: AbortSignal,
): Promise<DescribedImage> {
  try {
    const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }), {
      abortSignal: signal,
    });
    const image = out.Images?.[0];
    if (image?.Architecture) {
      return {
        architecture: image.Architecture,
        ...(image.Name ? { name: image.Name } : {}),
        ...(image.Description ? { description: image.Description } : {}),
        ...(image.OwnerId ? { ownerId: image.OwnerId } : {}),
        ...(image.ImageOwnerAlias ? { ownerAlias: image.ImageOwnerAlias } : {}),
        ...(image.PlatformDetails ? { platformDetails: image.PlatformDetails } : {}),
      };
    }
  } catch (error) {
    if (isAbort(error, signal)) throw signal.reason ?? error;
    if (!isNotFoundOrInvalid(error)) {
      throw toStepError(error, `describe image ${imageId}`, "ec2:DescribeImages");
    }
  }
  throw new StepError("config", `ami_id: image ${imageId} does not exist in this region`);
}
