import { isTransient, type V2Reply } from "../contract/v2-reply.js";
import type { V2Client } from "./client.js";
import { backoffMs, type Clock, deadlineFor, type RetryPolicy, realClock, retryAfterOf } from "./retry-timing.js";

/**
 * Reads an order from v2. Reading changes nothing, so unlike placing an order
 * any failure may simply be asked again, within the attempts and the deadline.
 */
export async function readOrder(
  client: V2Client,
  orderId: number,
  apiKey: string,
  policy: RetryPolicy,
  clock: Clock = realClock,
): Promise<V2Reply> {
  const { remaining, limits } = deadlineFor(policy, clock);
  let reply = await client.getOrder(orderId, apiKey, limits(), 1);
  for (let attempt = 1; attempt < policy.attempts && isTransient(reply); attempt++) {
    const wait = retryAfterOf(reply, policy) ?? backoffMs(attempt - 1, policy);
    if (wait >= remaining()) break;
    await clock.sleep(wait);
    reply = await client.getOrder(orderId, apiKey, limits(), attempt + 1);
  }
  return reply;
}
