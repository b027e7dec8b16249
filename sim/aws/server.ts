/**
 * The fake AWS endpoint: one HTTP server on 127.0.0.1 answering EC2 Query,
 * STS Query and SSM JSON requests as the AWS SDK v3 sends them. The service is
 * told apart by `x-amz-target` (SSM), the SigV4 credential scope's service and
 * the `Action` (STS); the region comes from the credential scope. SigV4
 * signatures are accepted, not checked. Faults (`SimFaults`) apply before the
 * handlers; every request is recorded.
 * @module
 */
import type { RecordedRequest } from "../types.ts";
import { newRequestId } from "../state/ids.ts";
import type { Ec2Call, SimCore } from "./context.ts";
import { EC2_HANDLERS } from "./ec2/mod.ts";
import { AwsApiError, ec2ErrorBody, ssmErrorBody, stsErrorBody } from "./errors.ts";
import { expandQuery, parseForm } from "./query.ts";
import { handleSsm } from "./ssm/mod.ts";
import { handleSts } from "./sts.ts";
import { xmlDocument } from "./xml.ts";

/** XML namespace of EC2 API version 2016-11-15 responses. */
const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";
/** XML namespace of STS API version 2011-06-15 responses. */
const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
/** STS actions, to recognise STS calls that carry no SigV4 scope. */
const STS_ACTIONS = new Set([
  "GetCallerIdentity",
  "AssumeRole",
  "GetSessionToken",
  "GetAccessKeyInfo",
  "DecodeAuthorizationMessage",
]);

/** Service and region from a SigV4 `Authorization` header's credential scope, if present. */
export function credentialScope(
  authorization: string | null,
): { region: string; service: string } | undefined {
  const match = authorization?.match(/Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\//);
  return match ? { region: match[1], service: match[2] } : undefined;
}

/** Receives every request once answered. */
export type RequestRecorder = (request: RecordedRequest) => void;

/** The error every call gets while `faults.expiredCredentials` is on, per service. */
function expiredCredentials(service: string): AwsApiError {
  if (service === "ec2") return new AwsApiError("RequestExpired", "Request has expired.", 400);
  if (service === "ssm") {
    return new AwsApiError(
      "ExpiredTokenException",
      "The security token included in the request is expired",
      400,
    );
  }
  return new AwsApiError("ExpiredToken", "The security token included in the request is expired");
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  errorCode?: string;
}

/**
 * The endpoint's request handler (for `Deno.serve`).
 * @param core simulator state the handlers act on.
 * @param record called with every answered request.
 */
export function createAwsHandler(
  core: SimCore,
  record: RequestRecorder,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const simTime = core.clock.now();
    const requestId = newRequestId();
    const text = request.method === "POST" ? await request.text() : "";
    const scope = credentialScope(request.headers.get("authorization"));
    const region = scope?.region ?? core.account.homeRegion;
    const target = request.headers.get("x-amz-target");

    let service: string;
    let action: string;
    let params: Record<string, unknown>;
    let answer: Answer;
    if (target !== null) {
      service = "ssm";
      action = target.includes(".") ? target.slice(target.indexOf(".") + 1) : target;
      params = parseJson(text);
      answer = answerSsm(core, region, action, params);
    } else {
      const flat = parseForm(text);
      params = flat;
      action = flat.Action ?? "";
      service = scope?.service === "sts" || STS_ACTIONS.has(action) ? "sts" : "ec2";
      answer = service === "sts"
        ? answerSts(core, action, requestId)
        : await answerEc2(core, region, action, flat, simTime, requestId);
    }
    record({
      service,
      action,
      params,
      simTime,
      status: answer.status,
      region,
      ...(answer.errorCode ? { errorCode: answer.errorCode } : {}),
    });
    return new Response(answer.body, {
      status: answer.status,
      headers: { "content-type": answer.contentType, "x-amzn-requestid": requestId },
    });
  };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function unexpected(error: unknown): AwsApiError {
  console.error(`simulator: internal error: ${(error as Error)?.stack ?? error}`);
  return new AwsApiError("InternalError", "An internal error has occurred", 500);
}

async function answerEc2(
  core: SimCore,
  region: string,
  action: string,
  flat: Record<string, string>,
  now: number,
  requestId: string,
): Promise<Answer> {
  const xml = "text/xml;charset=UTF-8";
  try {
    if (core.faults.expiredCredentials) throw expiredCredentials("ec2");
    if (core.faults.throttleNext > 0) {
      core.faults.throttleNext--;
      throw new AwsApiError("RequestLimitExceeded", "Request limit exceeded.", 503);
    }
    const handler = Object.hasOwn(EC2_HANDLERS, action) ? EC2_HANDLERS[action] : undefined;
    if (!handler) {
      throw new AwsApiError(
        "InvalidAction",
        `The action ${action || "(none)"} is not valid for this web service.`,
      );
    }
    const call: Ec2Call = {
      action,
      params: expandQuery(flat),
      region,
      state: core.account.region(region),
      core,
      now,
    };
    const body = await handler(call);
    return {
      status: 200,
      contentType: xml,
      body: xmlDocument(`${action}Response`, { requestId, ...body }, EC2_XMLNS),
    };
  } catch (error) {
    const e = error instanceof AwsApiError ? error : unexpected(error);
    return {
      status: e.status,
      contentType: xml,
      body: ec2ErrorBody(e, requestId),
      errorCode: e.code,
    };
  }
}

function answerSts(core: SimCore, action: string, requestId: string): Answer {
  const xml = "text/xml";
  try {
    if (core.faults.expiredCredentials) throw expiredCredentials("sts");
    const result = handleSts(action);
    return {
      status: 200,
      contentType: xml,
      body: xmlDocument(`${action}Response`, {
        [`${action}Result`]: result,
        ResponseMetadata: { RequestId: requestId },
      }, STS_XMLNS),
    };
  } catch (error) {
    const e = error instanceof AwsApiError ? error : unexpected(error);
    return {
      status: e.status,
      contentType: xml,
      body: stsErrorBody(e, requestId),
      errorCode: e.code,
    };
  }
}

function answerSsm(
  core: SimCore,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): Answer {
  const json = "application/x-amz-json-1.1";
  try {
    if (core.faults.expiredCredentials) throw expiredCredentials("ssm");
    const result = handleSsm(core, region, core.account.region(region), operation, body);
    return { status: 200, contentType: json, body: JSON.stringify(result) };
  } catch (error) {
    const e = error instanceof AwsApiError ? error : unexpected(error);
    return { status: e.status, contentType: json, body: ssmErrorBody(e), errorCode: e.code };
  }
}

/** A running endpoint. */
export interface AwsEndpointServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and waits for the server to finish. */
  close(): Promise<void>;
}

/**
 * Serves the endpoint on 127.0.0.1.
 * @param port TCP port; 0 (default) picks a free one.
 * @throws Deno.errors.AddrInUse when `port` is taken.
 */
export function serveAwsEndpoint(
  core: SimCore,
  record: RequestRecorder,
  port = 0,
): AwsEndpointServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    createAwsHandler(core, record),
  );
  const actualPort = server.addr.port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    close: async () => {
      await server.shutdown();
    },
  };
}
