/**
 * Test data for discover: a small `DescribeInstanceTypes` catalogue split
 * into pages, and EC2 error objects as the SDK throws them.
 * @module
 */
import {
  DescribeInstanceTypesCommand,
  EC2Client,
  EC2ServiceException,
  type InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";

/** Sets the environment every AWS SDK test needs (no IMDS, static fake credentials). */
export function fakeAwsEnv(): void {
  Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
  Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTESTTESTTEST");
  Deno.env.set("AWS_SECRET_ACCESS_KEY", "test-secret");
  Deno.env.delete("AWS_PROFILE");
}

function info(
  name: string,
  arch: "x86_64" | "arm64",
  phc: "supported" | "unsupported" | undefined,
  strategies: string[] | undefined,
  vcpus = 2,
  memory = 4096,
): InstanceTypeInfo {
  return {
    InstanceType: name as InstanceTypeInfo["InstanceType"],
    ProcessorInfo: { SupportedArchitectures: [arch] },
    VCpuInfo: { DefaultVCpus: vcpus },
    MemoryInfo: { SizeInMiB: memory },
    NetworkInfo: { EnaSupport: name.startsWith("t2.") ? "unsupported" : "required" },
    ...(phc ? { PhcSupport: phc } : {}),
    ...(strategies
      ? {
        PlacementGroupInfo: {
          SupportedStrategies: strategies as NonNullable<
            InstanceTypeInfo["PlacementGroupInfo"]
          >["SupportedStrategies"],
        },
      }
      : {}),
  };
}

const PT = ["cluster", "partition", "spread", "precision-time"];
const NO_PT = ["cluster", "partition", "spread"];

/** Three pages: the catalogue a region answers, in EC2's (unsorted) order. */
export const PAGES: InstanceTypeInfo[][] = [
  [
    info("c7i.xlarge", "x86_64", "supported", PT, 4, 8192),
    info("m6i.large", "x86_64", "unsupported", NO_PT),
    info("c7i.large", "x86_64", "supported", PT),
  ],
  [
    info("c7g.large", "arm64", "supported", PT),
    info("c8i.large", "x86_64", undefined, NO_PT),
    info("t2.micro", "x86_64", "unsupported", undefined, 1, 1024),
  ],
  [
    info("c7i.2xlarge", "x86_64", "supported", PT, 8, 16384),
    info("c7a.large", "x86_64", "unsupported", NO_PT),
  ],
];

/** Every type name of {@link PAGES}. */
export const ALL_TYPES = PAGES.flat().map((t) => t.InstanceType as string);

/** An EC2 error as the SDK surfaces it: `name` is the EC2 error code. */
export function ec2Error(code: string, message: string): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: "client",
    $metadata: { httpStatusCode: 401 },
    message,
  });
}

/**
 * An EC2 client for `region` answering the catalogue in three pages, chosen
 * by the NextToken it receives; `tokens` records the token of each call (the
 * SDK paginator reuses one input object, so recorded inputs would all show
 * the last token).
 */
export function pagedClient(region: string) {
  const client = new EC2Client({ region });
  const mock = mockClient(client);
  const tokens: (string | undefined)[] = [];
  mock.on(DescribeInstanceTypesCommand).callsFake((input: { NextToken?: string }) => {
    tokens.push(input.NextToken);
    const page = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(5)) - 1;
    return {
      InstanceTypes: PAGES[page],
      ...(page + 1 < PAGES.length ? { NextToken: `page-${page + 2}` } : {}),
    };
  });
  return { client, mock, tokens };
}

/** An EC2 client for `region` whose DescribeInstanceTypes fails with `code`. */
export function failingClient(region: string, code: string) {
  const client = new EC2Client({ region });
  mockClient(client).on(DescribeInstanceTypesCommand).rejects(
    ec2Error(code, `${code} in ${region}`),
  );
  return client;
}
