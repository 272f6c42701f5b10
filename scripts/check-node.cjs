// npm install's preinstall step: refuses, with what to do, a Node older than package.json's
// engines. Written to run on any Node (no syntax newer than ES5), since that is its point.
var wanted = require("../package.json").engines.node;
var needed = Number(/\d+/.exec(wanted)[0]);
var major = Number(process.versions.node.split(".")[0]);
if (major < needed) {
  process.stderr.write(
    "digicert-v1-shim needs Node.js " + needed + " or later (" + wanted + " in package.json; .nvmrc says " + needed + "), " +
      "and this is Node.js " + process.versions.node + ".\n" +
      "In this clone, `source .ci/node-env` gives the shell Node.js " + needed + " from the npm registry; or `nvm use`.\n"
  );
  process.exit(1);
}
