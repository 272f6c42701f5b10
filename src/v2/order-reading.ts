import type { V2Client, V2Reply } from "./client.js";
import { backoffMs, deadlineFor, realClock, retryAfterOf, type Clock, type RetryPolicy } from "./retry-timing.js";

/** A reply worth asking again for: no answer, a 5xx, a 429. */
const transient = (reply: V2Reply) => reply.kind === "no_answer" || (reply.kind === "answer" && (reply.status >= 500 || reply.status === 429));

/**
 * Reads an order from v2. Reading changes nothing, so unlike placing an order
 * any failure may simply be asked again, within the attempts and the deadline.
 */
export async function readOrder(client: V2Client, orderId: number, apiKey: string, policy: RetryPolicy, clock: Clock = realClock): Promise<V2Reply> {
  const { remaining, limits } = deadlineFor(policy, clock);
  let reply = await client.getOrder(orderId, apiKey, limits());
  for (let attempt = 1; attempt < policy.attempts && transient(reply); attempt++) {
    const wait = retryAfterOf(reply, policy) ?? backoffMs(attempt - 1, policy);
    if (wait >= remaining()) break;
    await clock.sleep(wait);
    reply = await client.getOrder(orderId, apiKey, limits());
  }
  return reply;
}
