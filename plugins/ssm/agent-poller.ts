/**
 * One SSM agent poller per region: every target of the run that waits for
 * its agent in that region (`connect`, and the wait after a driver reload)
 * asks it instead of sending its own DescribeInstanceInformation. The looks
 * asked for while the previous call was under way, or while the region's
 * rate limiter held the next slot, go out together: one call covers up to
 * {@link IDS_PER_CALL} instances (`Filters` key `InstanceIds`), so the calls
 * grow with the waiting targets divided by 50, not with the targets.
 * Each target keeps its own backoff and bound (agent.ts); the poller only
 * batches the lookups, through the region's limiter and throttle backoff
 * (send.ts).
 *
 * Source: SSM API Reference "DescribeInstanceInformation" (`MaxResults`
 * 5-50, `NextToken` for the next page) and "InstanceInformationStringFilter"
 * (`Values`: 1-100 items); an id that is not valid answers
 * `InvalidInstanceId` for the whole call, so a batch refused that way is
 * asked again one id at a time.
 * @module
 */
import {
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandOutput,
  type InstanceInformation,
} from "@aws-sdk/client-ssm";
import type { StepContext } from "../../runner/types.ts";
import { awsErrorCode, toStepError } from "../aws/shared/aws-errors.ts";
import { sendSsm, type SsmSender } from "./send.ts";

/**
 * Instance ids asked about per call: `MaxResults`' bound (50), so the
 * answer about them fits one page (the filter itself takes up to 100 values).
 */
export const IDS_PER_CALL = 50;

/** One target's look waiting for the next call. */
interface Look {
  instanceId: string;
  sender: SsmSender;
  resolve(info: InstanceInformation | undefined): void;
  reject(error: unknown): void;
}

/** What one call answered per id: the agent (or none), or the error to give that id's waiter. */
type Answer = { info?: InstanceInformation } | { error: unknown };

/** Batches the DescribeInstanceInformation looks of one region (see the module doc). */
export class AgentPoller {
  readonly region: string;
  /** Looks not yet taken by a call, in arrival order. */
  #queue: Look[] = [];
  #running = false;
  #calls = 0;

  constructor(region: string) {
    this.region = region;
  }

  /** DescribeInstanceInformation calls made so far (pages included). */
  get calls(): number {
    return this.#calls;
  }

  /**
   * The agent of `instanceId` as the next call sees it; undefined when the
   * agent is not registered (DescribeInstanceInformation does not list it).
   * `sender`'s client (and so the step its calls are attributed to) is used
   * when this look is the first of its call.
   * @throws StepError as agent.ts `describeAgent` (`auth`, `throttled`, ...);
   *   the signal's reason on abort (the call itself goes on for the others).
   */
  look(
    sender: SsmSender,
    instanceId: string,
    signal?: AbortSignal,
  ): Promise<InstanceInformation | undefined> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#queue = this.#queue.filter((l) => l !== look);
        reject(signal?.reason);
      };
      const settle = () => signal?.removeEventListener("abort", onAbort);
      const look: Look = {
        instanceId,
        sender,
        resolve: (info) => {
          settle();
          resolve(info);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(look);
      if (!this.#running) this.#run();
    });
  }

  /** Sends calls while looks wait; each call takes the looks queued when its slot came. */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      // Let the looks asked for in the same turn (a batch of targets starting) join the first call.
      await new Promise((resolve) => setTimeout(resolve, 0));
      while (this.#queue.length > 0) {
        const first = this.#queue[0];
        let taken: Look[] = [];
        let answers: Map<string, Answer>;
        try {
          answers = await this.#ask(first.sender, () => {
            // Taken when the limiter grants the slot: looks queued while waiting for it join.
            if (taken.length === 0) taken = this.#take();
            return taken.map((l) => l.instanceId);
          });
        } catch (error) {
          if (taken.length === 0) taken = this.#take();
          answers = new Map(taken.map((l) => [l.instanceId, { error }]));
        }
        for (const look of taken) {
          const answer = answers.get(look.instanceId) ?? {};
          if ("error" in answer) look.reject(stepErrorOf(answer.error, look.instanceId));
          else look.resolve(answer.info);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Up to {@link IDS_PER_CALL} queued looks (distinct ids, all looks of an id). */
  #take(): Look[] {
    const ids = new Set<string>();
    const taken: Look[] = [];
    const rest: Look[] = [];
    for (const look of this.#queue) {
      if (ids.has(look.instanceId) || ids.size < IDS_PER_CALL) {
        ids.add(look.instanceId);
        taken.push(look);
      } else rest.push(look);
    }
    this.#queue = rest;
    return taken;
  }

  /**
   * One DescribeInstanceInformation for the ids `idsAtSlot` gives when the
   * first page's slot comes (then the next pages); `InvalidInstanceId` for
   * several ids: each asked alone.
   */
  async #ask(sender: SsmSender, idsAtSlot: () => string[]): Promise<Map<string, Answer>> {
    let ids: string[] = [];
    const answers = new Map<string, Answer>();
    try {
      for (let token: string | undefined, page = 0; page === 0 || token; page++) {
        const out: DescribeInstanceInformationCommandOutput = await sendSsm(
          sender,
          "DescribeInstanceInformation",
          (client) => {
            if (page === 0) ids = idsAtSlot();
            this.#calls++;
            return client.send(
              new DescribeInstanceInformationCommand({
                Filters: [{ Key: "InstanceIds", Values: ids }],
                MaxResults: IDS_PER_CALL,
                ...(token ? { NextToken: token } : {}),
              }),
            );
          },
        );
        for (const info of out.InstanceInformationList ?? []) {
          if (info.InstanceId && ids.includes(info.InstanceId)) {
            answers.set(info.InstanceId, { info });
          }
        }
        token = out.NextToken;
      }
      return answers;
    } catch (error) {
      if (awsErrorCode(error) !== "InvalidInstanceId" || ids.length < 2) throw error;
      const alone = await Promise.all(ids.map(async (id) => {
        try {
          const one = await this.#ask(sender, () => [id]);
          return [id, one.get(id) ?? {}] as const;
        } catch (e) {
          return [id, { error: e }] as const;
        }
      }));
      return new Map<string, Answer>(alone);
    }
  }
}

/** The error a look of `instanceId` is given when its call failed. */
function stepErrorOf(error: unknown, instanceId: string): unknown {
  return toStepError(
    error,
    `ask SSM whether the agent of ${instanceId} is online`,
    "ssm:DescribeInstanceInformation",
  );
}

/** Service-registry key of the poller of `region`. */
export function agentPollerServiceKey(region: string): string {
  return `ssm:agent-poller:region:${region}`;
}

/** The run's agent poller of `region` (created on first use, shared after). */
export function regionAgentPoller(
  ctx: Pick<StepContext, "services">,
  region: string,
): Promise<AgentPoller> {
  return ctx.services.get(agentPollerServiceKey(region), () => new AgentPoller(region));
}
