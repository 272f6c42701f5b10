import { type MigrationPlan, type Stages, stagesOf } from "./plan.js";

/**
 * The plan the shim enforces, replaced whole when SIGHUP reads the file again,
 * and the clock it is judged by (injected, so that a test is not at the mercy
 * of today's date).
 */
export class PlanInUse {
  #plan: MigrationPlan;

  constructor(
    plan: MigrationPlan,
    readonly now: () => number = Date.now,
  ) {
    this.#plan = plan;
  }

  get plan(): MigrationPlan {
    return this.#plan;
  }

  replace(plan: MigrationPlan): void {
    this.#plan = plan;
  }

  /** The account's stages, or the default's for an account the plan does not list (or a request without one). */
  stagesOf(accountId: string | undefined): Stages {
    return stagesOf(this.#plan, accountId);
  }
}
