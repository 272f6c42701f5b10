// Imported first by every entry (the server's bundle, the command line): on a Node older than the
// one the shim is built and tested for, it stops before anything else runs, saying what is needed.
// package.json's engines, .nvmrc and scripts/check-node.cjs (npm install's preinstall) say the same.

/** The Node.js major version the shim runs on. */
export const SUPPORTED_NODE_MAJOR = 24;

/** Why Node `version` cannot run the shim, or undefined when it can. */
export function oldNodeRefusal(version: string): string | undefined {
  const major = Number(version.split(".")[0]);
  if (major >= SUPPORTED_NODE_MAJOR) return undefined;
  return `digicert-v1-shim: not starting. It needs Node.js ${SUPPORTED_NODE_MAJOR} or later, and this is Node.js ${version} (${process.execPath}). In a clone of the shim, \`source .ci/node-env\` gives the shell Node.js ${SUPPORTED_NODE_MAJOR}.\n`;
}

const refusal = oldNodeRefusal(process.versions.node);
if (refusal) {
  process.stderr.write(refusal);
  process.exit(1);
}
