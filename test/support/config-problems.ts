import { ConfigError } from "../../src/config/config.js";

/** The problems a ConfigError lists when `load` refuses its input; fails the test when it accepts it. */
export function configProblems(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the configuration was accepted");
}
