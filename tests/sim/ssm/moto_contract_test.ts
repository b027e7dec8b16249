/**
 * Contract test of the simulator's Run Command wire format:
 *
 * 1. Always: the raw JSON the simulator answers for SendCommand,
 *    GetCommandInvocation, ListCommandInvocations (with Details), CancelCommand
 *    and DescribeInstanceInformation uses only member names of AWS's SSM model
 *    (as shipped in `@aws-sdk/client-ssm`), each with the model's JSON type;
 *    errors carry `__type`.
 * 2. Where `moto_server` is installed: the same requests to moto (an SSM
 *    endpoint this project did not write, which accepts SendCommand without
 *    running anything) give answers whose member names and JSON types match
 *    the simulator's, for each operation moto implements (moto 5.2 answers
 *    HTTP 500 "not implemented" for ListCommandInvocations, CancelCommand and
 *    DescribeInstanceInformation: those are noted and compared with the model
 *    only). Values are not compared.
 */
import { motoServerPath, startMotoServer } from "../../helpers/moto.ts";
import assert from "node:assert/strict";
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { memberTypes, outputSchema, shapeErrors } from "./sdk-shape.ts";
import { startSsmFixture } from "./helpers.ts";

/** One raw SSM JSON call (unsigned; the credential scope names service and region). */
async function rawSsm(endpoint: string, operation: string, body: unknown) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "x-amz-target": `AmazonSSM.${operation}`,
      "content-type": "application/x-amz-json-1.1",
      authorization:
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=00",
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch { /* moto's HTML error page */ }
  return { status: response.status, json: json as Record<string, unknown> };
}

/** One EC2 Query call (RunInstances on moto). */
async function rawEc2(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00",
    },
    body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
  });
  return await response.text();
}

const SCHEMAS = {
  SendCommand: outputSchema(new SendCommandCommand({ DocumentName: "" })),
  GetCommandInvocation: outputSchema(
    new GetCommandInvocationCommand({ CommandId: "", InstanceId: "" }),
  ),
  ListCommandInvocations: outputSchema(new ListCommandInvocationsCommand({})),
  CancelCommand: outputSchema(new CancelCommandCommand({ CommandId: "" })),
  DescribeInstanceInformation: outputSchema(new DescribeInstanceInformationCommand({})),
};
type Operation = keyof typeof SCHEMAS;

/** The requests of the contract, for an instance id; the command id is filled in after SendCommand. */
function requests(instanceId: string, commandId: string): [Operation, unknown][] {
  return [
    ["GetCommandInvocation", { CommandId: commandId, InstanceId: instanceId }],
    ["ListCommandInvocations", { CommandId: commandId, Details: true }],
    ["DescribeInstanceInformation", {}],
    ["CancelCommand", { CommandId: commandId }],
  ];
}

const SEND = (instanceId: string) => ({
  DocumentName: "AWS-RunShellScript",
  InstanceIds: [instanceId],
  Parameters: { commands: ["echo contract"] },
  Comment: "contract",
  TimeoutSeconds: 600,
});

/** Runs the contract's requests against the simulator; answers by operation. */
async function simAnswers(): Promise<Map<Operation, Record<string, unknown>>> {
  const f = await startSsmFixture();
  try {
    const [id] = await f.launch();
    await f.waitForPing(id, "Online");
    const answers = new Map<Operation, Record<string, unknown>>();
    const sent = await rawSsm(f.sim.endpoint, "SendCommand", SEND(id));
    assert.equal(sent.status, 200);
    answers.set("SendCommand", sent.json);
    const commandId = (sent.json.Command as { CommandId: string }).CommandId;
    await f.waitForResult(commandId, id);
    for (const [operation, body] of requests(id, commandId)) {
      const answer = await rawSsm(f.sim.endpoint, operation, body);
      assert.equal(answer.status, 200, `${operation}: ${JSON.stringify(answer.json)}`);
      answers.set(operation, answer.json);
    }
    const missing = await rawSsm(f.sim.endpoint, "GetCommandInvocation", {
      CommandId: commandId,
      InstanceId: "i-00000000000000000",
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.__type, "InvocationDoesNotExist");
    return answers;
  } finally {
    await f.close();
  }
}

Deno.test("the simulator's Run Command answers use only AWS model member names with the model's JSON types", async () => {
  const answers = await simAnswers();
  for (const [operation, json] of answers) {
    assert.deepEqual(shapeErrors(json, SCHEMAS[operation]), [], operation);
  }
  const invocation = (answers.get("ListCommandInvocations")!.CommandInvocations as unknown[])[0];
  assert.ok(invocation, "ListCommandInvocations lists the invocation");
  assert.ok(
    (answers.get("DescribeInstanceInformation")!.InstanceInformationList as unknown[]).length > 0,
  );
});

const moto = motoServerPath();
if (!moto) console.log("notice: moto_server not found; skipping the SSM moto contract test");

Deno.test({
  name:
    "moto: SendCommand and GetCommandInvocation answers have the simulator's member names and JSON types",
  ignore: !moto,
  async fn() {
    const sim = await simAnswers();
    const server = await startMotoServer(moto!);
    const endpoint = server.endpoint;
    try {
      const run = await rawEc2(endpoint, {
        Action: "RunInstances",
        ImageId: "ami-12c6146b",
        MinCount: "1",
        MaxCount: "1",
      });
      const id = run.match(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/)?.[1];
      assert.ok(id, run.slice(0, 300));
      const sent = await rawSsm(endpoint, "SendCommand", SEND(id));
      assert.equal(sent.status, 200);
      const commandId = (sent.json.Command as { CommandId: string }).CommandId;
      const motoAnswers = new Map<Operation, Record<string, unknown>>([["SendCommand", sent.json]]);
      for (const [operation, body] of requests(id, commandId)) {
        const answer = await rawSsm(endpoint, operation, body);
        if (answer.status === 200) motoAnswers.set(operation, answer.json);
        else {console.log(
            `notice: moto answers ${operation} with HTTP ${answer.status}; compared with the model only`,
          );}
      }
      assert.ok(motoAnswers.has("GetCommandInvocation"), "moto implements GetCommandInvocation");
      for (const [operation, motoJson] of motoAnswers) {
        const ours = memberTypes(sim.get(operation));
        const theirs = memberTypes(motoJson);
        // Members moto adds outside AWS's model are not part of the contract.
        const outside = shapeErrors(motoJson, SCHEMAS[operation]).map((e) =>
          e.slice(0, e.indexOf(":")).replace(/\[\d+\]/g, "[]")
        );
        const modelled = (path: string) => !outside.some((o) => path.startsWith(o));
        for (const [path, type] of theirs) {
          if (!modelled(path)) continue;
          // An element of a list the simulator answers empty (e.g. NotificationEvents).
          if (path.endsWith("[]") || path.includes("[].")) {
            const list = path.slice(0, path.indexOf("[]"));
            if (ours.get(list) === "list" && !ours.has(`${list}[]`)) continue;
          }
          assert.ok(ours.has(path), `${operation}: the simulator lacks ${path} (moto has it)`);
          assert.equal(ours.get(path), type, `${operation} ${path}`);
        }
      }
      const missing = await rawSsm(endpoint, "GetCommandInvocation", {
        CommandId: commandId,
        InstanceId: "i-00000000000000000",
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.json.__type, "InvocationDoesNotExist");
    } finally {
      await server.stop();
    }
  },
});
