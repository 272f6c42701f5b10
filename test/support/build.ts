import { execFileSync } from "node:child_process";

/** Vitest global setup: the process tests run what `npm start` runs, so dist must be this tree's, built by `npm run build`. */
export default function build(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
