/**
 * A small fake AWS account for unit tests of the launch and cleanup steps,
 * built on aws-sdk-client-mock (every EC2/SSM/STS client of the process is
 * mocked). Not a test file itself.
 * @module
 */
import {
  CreatePlacementGroupCommand,
  CreateTagsCommand,
  DeletePlacementGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribePlacementGroupsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type Instance,
  type InstanceTypeInfo,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { createHash } from "node:crypto";
import { generateEd25519KeyPair } from "../../../sim/keygen.ts";

/** Environment every AWS test needs: no metadata service, static fake credentials. */
export function setAwsTestEnv(): void {
  Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
  Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDTEST");
  Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-test");
  Deno.env.delete("AWS_PROFILE");
  Deno.env.delete("AWS_ENDPOINT_URL");
}

/** An AWS SDK-like error with `name` = the AWS code. */
export function awsError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 400 } });
}

/** A catalogue entry: architecture, PhcSupport (`absent` omits the key), strategies. */
export interface FakeType {
  arch: "x86_64" | "arm64" | "x86_64_mac";
  phc: "supported" | "unsupported" | "absent";
  strategies?: string[];
}

/** Default catalogue. */
export const CATALOGUE: Record<string, FakeType> = {
  "c7i.large": { arch: "x86_64", phc: "supported" },
  "c7i.xlarge": { arch: "x86_64", phc: "supported" },
  "m7i.large": { arch: "x86_64", phc: "supported" },
  "m7i.xlarge": { arch: "x86_64", phc: "supported" },
  "r7i.large": { arch: "x86_64", phc: "supported" },
  "c7g.large": { arch: "arm64", phc: "supported" },
  "t3.micro": { arch: "x86_64", phc: "unsupported", strategies: ["cluster", "spread"] },
  "c8i.large": { arch: "x86_64", phc: "absent" },
  "mac1.metal": { arch: "x86_64_mac", phc: "absent" },
};

/** AMI ids the fake SSM parameters give. */
export const AMI = { x86_64: "ami-0x86000000000001", arm64: "ami-0arm000000000001" };

/**
 * A generated ed25519 key pair and the fingerprint EC2 would show; with
 * `passphrase`, the private key is encrypted with it.
 */
export function makeKeyPair(passphrase?: string): { privateKey: string; fingerprint: string } {
  const keys = generateEd25519KeyPair(passphrase ? { passphrase } : {});
  const blob = Uint8Array.from(atob(keys.public.split(" ")[1]), (c) => c.charCodeAt(0));
  // EC2 pads the base64 SHA-256 with `=`.
  const fingerprint = createHash("sha256").update(blob).digest("base64");
  return { privateKey: keys.private, fingerprint };
}

const ec2Mock = () => mockClient(EC2Client);
const ssmMock = () => mockClient(SSMClient);
const stsMock = () => mockClient(STSClient);

/** State of the fake account, inspectable by tests. */
export interface FakeAws {
  ec2: ReturnType<typeof ec2Mock>;
  ssm: ReturnType<typeof ssmMock>;
  sts: ReturnType<typeof stsMock>;
  /** Instance state by id. */
  instances: Map<string, { type: string; state: string; input: RunInstancesCommandInput }>;
  /** Instance types whose RunInstances fails with this code. */
  runFailures: Map<string, string>;
  /** Polls before a pending instance becomes running. */
  bootPolls: number;
  /** When true, running instances have no public IP (a subnet without auto-assign). */
  noPublicIp?: boolean;
  /** Calls hook for DescribeInstances (e.g. to assert the journal). */
  onDescribeInstances?: () => void;
  /** Names of every EC2 command sent, in order. */
  calls(): string[];
  restore(): void;
}

/**
 * Installs the fake. The key pair `k` has the fingerprint of `keyFingerprint`.
 */
export function installFakeAws(options: {
  keyFingerprint: string;
  catalogue?: Record<string, FakeType>;
}): FakeAws {
  setAwsTestEnv();
  const catalogue = options.catalogue ?? CATALOGUE;
  const ec2 = ec2Mock();
  const ssm = ssmMock();
  const sts = stsMock();
  let nextId = 1;
  const byToken = new Map<string, Instance[]>();
  const polls = new Map<string, number>();
  const fake: FakeAws = {
    ec2,
    ssm,
    sts,
    instances: new Map(),
    runFailures: new Map(),
    bootPolls: 1,
    calls: () =>
      ec2.calls().map((c) =>
        (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, "")
      ),
    restore() {
      ec2.restore();
      ssm.restore();
      sts.restore();
    },
  };
  sts.on(GetCallerIdentityCommand).resolves({
    Arn: "arn:aws:iam::123456789012:user/tester",
    Account: "123456789012",
    UserId: "AIDTEST",
  });
  ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const arch = input.Name.endsWith("arm64") ? "arm64" : "x86_64";
    return { Parameter: { Name: input.Name, Type: "String", Value: AMI[arch] } };
  });
  const info = (name: string): InstanceTypeInfo => {
    const t = catalogue[name];
    return {
      InstanceType: name as InstanceTypeInfo["InstanceType"],
      ProcessorInfo: { SupportedArchitectures: [t.arch] },
      ...(t.phc === "absent" ? {} : { PhcSupport: t.phc }),
      PlacementGroupInfo: {
        SupportedStrategies: (t.strategies ??
          ["cluster", "partition", "spread", "precision-time"]) as never,
      },
    };
  };
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes?: string[] }) => {
    if (input.InstanceTypes) {
      const unknown = input.InstanceTypes.filter((t) => !catalogue[t]);
      if (unknown.length > 0) {
        throw awsError(
          "InvalidInstanceType",
          `The following supplied instance types do not exist: [${unknown.join(", ")}]`,
        );
      }
      return { InstanceTypes: input.InstanceTypes.map(info) };
    }
    return { InstanceTypes: Object.keys(catalogue).map(info) };
  });
  ec2.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => {
    if (input.SubnetIds[0] !== "subnet-0123456789abcdef1") {
      throw awsError(
        "InvalidSubnetID.NotFound",
        `The subnet ID '${input.SubnetIds[0]}' does not exist`,
      );
    }
    return {
      Subnets: [{
        SubnetId: "subnet-0123456789abcdef1",
        AvailabilityZone: "us-east-1a",
        VpcId: "vpc-1",
      }],
    };
  });
  ec2.on(DescribeRegionsCommand).resolves({
    Regions: [{ RegionName: "us-east-1" }, { RegionName: "eu-west-1" }],
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds: string[] }) => ({
    SecurityGroups: input.GroupIds.filter((g) => g.startsWith("sg-")).map((g) => ({
      GroupId: g,
      IpPermissions: g === "sg-0123456789abcdef5"
        ? [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]
        : [],
    })),
  }));
  ec2.on(DescribeKeyPairsCommand).callsFake((input: { KeyNames: string[] }) => {
    if (input.KeyNames[0] !== "k") {
      throw awsError(
        "InvalidKeyPair.NotFound",
        `The key pair '${input.KeyNames[0]}' does not exist`,
      );
    }
    return {
      KeyPairs: [{ KeyName: "k", KeyType: "ed25519", KeyFingerprint: options.keyFingerprint }],
    };
  });
  ec2.on(DescribePlacementGroupsCommand).callsFake(
    (input: { GroupNames?: string[]; GroupIds?: string[] }) => {
      const name = input.GroupNames?.[0] ?? input.GroupIds?.[0];
      if (name === "ptp-group" || name === "pg-0123") {
        return {
          PlacementGroups: [{
            GroupName: "ptp-group",
            GroupId: "pg-0123",
            Strategy: "precision-time",
          }],
        };
      }
      if (name === "spread-group") {
        return { PlacementGroups: [{ GroupName: "spread-group", Strategy: "spread" }] };
      }
      throw awsError("InvalidPlacementGroup.Unknown", `The Placement Group '${name}' is unknown.`);
    },
  );
  ec2.on(CreatePlacementGroupCommand).callsFake(
    (input: { DryRun?: boolean; GroupName: string }) => {
      if (input.DryRun) throw awsError("DryRunOperation", "Request would have succeeded");
      return {
        PlacementGroup: {
          GroupName: input.GroupName,
          GroupId: "pg-new",
          Strategy: "precision-time",
        },
      };
    },
  );
  ec2.on(DeletePlacementGroupCommand).resolves({});
  ec2.on(DescribeImagesCommand).callsFake((input: { ImageIds: string[] }) => ({
    Images: input.ImageIds.map((id) => ({
      ImageId: id,
      Architecture: id.includes("arm") ? "arm64" : "x86_64",
    })),
  }));
  ec2.on(RunInstancesCommand).callsFake((input: RunInstancesCommandInput) => {
    if (input.DryRun) throw awsError("DryRunOperation", "Request would have succeeded");
    const failure = fake.runFailures.get(input.InstanceType!);
    if (failure) {
      throw awsError(failure, `We currently do not have sufficient ${input.InstanceType} capacity`);
    }
    // ClientToken idempotency: the same token returns the same instances.
    if (input.ClientToken && byToken.has(input.ClientToken)) {
      return { Instances: byToken.get(input.ClientToken) };
    }
    const instances: Instance[] = [];
    for (let i = 0; i < (input.MaxCount ?? 1); i++) {
      const id = `i-${(nextId++).toString(16).padStart(17, "0")}`;
      fake.instances.set(id, { type: input.InstanceType!, state: "pending", input });
      instances.push({
        InstanceId: id,
        InstanceType: input.InstanceType,
        AmiLaunchIndex: i,
        State: { Name: "pending", Code: 0 },
      });
    }
    if (input.ClientToken) byToken.set(input.ClientToken, instances);
    return { Instances: instances };
  });
  ec2.on(CreateTagsCommand).resolves({});
  ec2.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => {
    fake.onDescribeInstances?.();
    const ids = input.InstanceIds ?? [...fake.instances.keys()];
    const instances: Instance[] = [];
    for (const id of ids) {
      const inst = fake.instances.get(id);
      if (!inst) continue;
      const seen = (polls.get(id) ?? 0) + 1;
      polls.set(id, seen);
      if (inst.state === "pending" && seen > fake.bootPolls) inst.state = "running";
      if (inst.state === "shutting-down") inst.state = "terminated";
      const n = parseInt(id.slice(2), 16);
      instances.push({
        InstanceId: id,
        InstanceType: inst.type as Instance["InstanceType"],
        State: { Name: inst.state as "running" },
        PrivateIpAddress: `10.0.0.${n}`,
        ...(inst.state === "running" && !fake.noPublicIp
          ? { PublicIpAddress: `203.0.113.${n}` }
          : {}),
      });
    }
    return { Reservations: [{ Instances: instances }] };
  });
  ec2.on(TerminateInstancesCommand).callsFake((input: { InstanceIds: string[] }) => {
    const unknown = input.InstanceIds.filter((id) => !fake.instances.has(id));
    if (unknown.length > 0) {
      throw awsError(
        "InvalidInstanceID.NotFound",
        `The instance IDs '${unknown.join(", ")}' do not exist`,
      );
    }
    for (const id of input.InstanceIds) fake.instances.get(id)!.state = "shutting-down";
    return {
      TerminatingInstances: input.InstanceIds.map((id) => ({
        InstanceId: id,
        CurrentState: { Name: "shutting-down" as const },
      })),
    };
  });
  return fake;
}
