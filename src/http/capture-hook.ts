import type { Context } from "hono";
import type { ShimEnv } from "./env.js";

/**
 * Capture of legacy requests (SHIM_CAPTURE_DIR, src/capture/). Absent when
 * capture is off: a request then pays for nothing but the check that it is.
 */
export interface RequestCapture {
  /** As a legacy request starts: its capture, when it is one to keep (sampled, its account wanted); otherwise undefined. */
  start(c: Context<ShimEnv>): CapturedRequest | undefined;
}

export interface CapturedRequest {
  /** Runs the rest of the request inside its capture, so that the v2 calls it makes are recorded as its own. */
  within<T>(work: () => Promise<T>): Promise<T>;
  /** Once it is answered, before the answer is sent: its record is then made and written in the background. */
  answered(c: Context<ShimEnv>, answer: Response): void;
}
