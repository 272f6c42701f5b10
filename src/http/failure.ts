import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { V1Error, v1Errors } from "../contract/v1-errors.js";
import type { Logger } from "../observability/log.js";
import { CLIENT_CLOSED_REQUEST } from "../observability/request-log.js";
import { parserAnswerOn } from "./client-errors.js";
import type { ShimEnv } from "./env.js";
import { sendV1Error } from "./respond.js";

/** The answer to whatever a step or handler threw: the app's error handler, and the composed order handler's. */
export function answerFailure(logger: Logger): (error: Error, c: Context<ShimEnv>) => Response {
  return (error, c) => {
    if (error instanceof V1Error) {
      if (error.alert) {
        const { account_id, alternative_order_id, v2_status } = c.get("log") ?? {};
        logger.error({ req_id: c.get("requestId"), account_id, alternative_order_id, v2_status, path: c.req.path }, error.alert);
      }
      return sendV1Error(c, error);
    }
    // Hono's own middleware refuses this way.
    if (error instanceof HTTPException) return error.getResponse();
    // Its body stopped arriving: the client hung up, or the parser hook answered 408.
    const incoming = c.env?.incoming;
    // Recorded (at info, as every request) as what the client got: 408, or nothing (499).
    if (incoming && !incoming.complete && incoming.destroyed) {
      return new Response(null, { status: parserAnswerOn(incoming.socket) ?? CLIENT_CLOSED_REQUEST });
    }
    logger.error({ err: error, req_id: c.get("requestId") }, "unexpected failure");
    return sendV1Error(c, v1Errors.internal());
  };
}
