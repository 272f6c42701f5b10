import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { z } from "zod";

// The nginx + njs peer (issue 17): what a team would put in front of v2 instead of
// the shim, doing the shim's job for POST /order/code in an njs script
// (bench/nginx-njs/order.js). Built from Debian's packages; the bench runs it only
// when both are installed. See docs/performance.md, "The nginx + njs peer".

const NGINX = "/usr/sbin/nginx";
const NJS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so";
export const NGINX_PACKAGES = "nginx-light libnginx-mod-http-js";
const SCRIPT = new URL("./nginx-njs/order.js", import.meta.url);
const DIST = new URL("../dist/", import.meta.url);
// SHIM_MAX_BODY_BYTES' default.
const MAX_BODY = "64k";
const BIND_ATTEMPTS = 3;

/**
 * @typedef {{ available: true, nginx: string, module: string, version: string } | { available: false, reason: string }} NginxNjs
 */

/** Whether nginx and its njs module are installed, and which nginx. @returns {NginxNjs} */
export function findNginxNjs() {
  const missing = [NGINX, NJS_MODULE].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    return { available: false, reason: `${missing.join(" and ")} not found (apt-get install -y ${NGINX_PACKAGES})` };
  }
  // nginx -v writes to standard error.
  const version = spawnSync(NGINX, ["-v"], { encoding: "utf8" })
    .stderr.trim()
    .replace(/^nginx version: /, "");
  return { available: true, nginx: NGINX, module: NJS_MODULE, version };
}

/**
 * The shim's own data, as njs reads it: the field order of its errors, the legacy
 * countries, the state names it spells out, its platform tables and zod's email
 * pattern. Read from dist/ (what `npm run build` made of src/), so the peer checks
 * exactly what the shim checks.
 */
async function shimTables() {
  /** @param {string} path */
  const load = (path) => import(new URL(path, DIST).href);
  /** @type {{ V1_ORDER_FIELDS: string[] }} */
  const { V1_ORDER_FIELDS } = await load("contract/v1-order.js");
  /** @type {{ LEGACY_COUNTRY_CODES: ReadonlySet<string> }} */
  const { LEGACY_COUNTRY_CODES } = await load("contract/legacy-countries.js");
  /** @type {{ DEFAULT_PLATFORM_TABLES: unknown }} */
  const { DEFAULT_PLATFORM_TABLES } = await load("contract/platforms.js");
  /** @type {{ spellOutState: (state: string, country: string) => string }} */
  const { spellOutState } = await load("mapping/state-names.js");

  // The state names are not exported; every two-letter abbreviation of every country is asked instead.
  const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
  const abbreviations = letters.flatMap((a) => letters.map((b) => a + b));
  /** @type {Record<string, Record<string, string>>} */
  const states = {};
  for (const country of LEGACY_COUNTRY_CODES) {
    const names = Object.fromEntries(
      abbreviations
        .map((abbreviation) => [abbreviation, spellOutState(abbreviation, country)])
        .filter(([abbreviation, name]) => name !== abbreviation),
    );
    if (Object.keys(names).length > 0) states[country] = names;
  }
  return {
    fields: V1_ORDER_FIELDS,
    countries: [...LEGACY_COUNTRY_CODES],
    states,
    platforms: DEFAULT_PLATFORM_TABLES,
    email: z.regexes.email.source,
  };
}

/** @param {string} dir @param {number} port @param {URL} v2 the fake's base URL */
function nginxConf(dir, port, v2) {
  const temp = join(dir, "temp");
  return `# Written by bench/nginx-peer.mjs for one benchmark run.
load_module ${NJS_MODULE};
daemon off;
# One process, so that its CPU is one /proc entry, as the shim's is; it does
# what a single worker would.
master_process off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;

events {
    worker_connections 4096;
}

http {
    server_tokens off;
    client_body_temp_path ${temp}/body;
    proxy_temp_path ${temp}/proxy;
    fastcgi_temp_path ${temp}/fastcgi;
    uwsgi_temp_path ${temp}/uwsgi;
    scgi_temp_path ${temp}/scgi;
    # Node's server closes no kept-alive connection after a number of requests; nor does this one.
    keepalive_requests 1000000;

    js_path ${dir};
    js_import order from order.js;
    js_var $devkey;
    js_var $account_id;
    js_var $alternative_order_id;
    js_var $v2_status;
    js_var $v2_latency_ms;
    js_var $v2_order_id;
    js_var $v1_errors;

    # A JSON line per request, written as each request ends (no buffer), as a
    # team would leave it. The key never appears: $devkey is not logged.
    log_format order escape=json '{"time":"$time_iso8601","req_id":"$request_id","method":"$request_method",'
        '"path":"$uri","status":$status,"format":"json","user_agent":"$http_user_agent",'
        '"request_time_s":$request_time,"account_id":"$account_id",'
        '"alternative_order_id":"$alternative_order_id","v2_status":"$v2_status",'
        '"v2_latency_ms":"$v2_latency_ms","v2_order_id":"$v2_order_id","errors":"$v1_errors"}';
    access_log ${join(dir, "access.log")} order;

    upstream v2 {
        server ${v2.host};
        keepalive 64;
        keepalive_requests 1000000;
    }

    server {
        listen 127.0.0.1:${port} backlog=4096;

        location = /order/code {
            client_max_body_size ${MAX_BODY};
            # The whole body in memory, for the script's r.requestText.
            client_body_buffer_size ${MAX_BODY};
            client_body_in_single_buffer on;
            js_content order.order;
        }

        # The script's subrequest: the payload to v2, on kept-alive connections.
        location /_v2/ {
            internal;
            proxy_http_version 1.1;
            proxy_pass_request_headers off;
            proxy_set_header Connection "";
            proxy_set_header Content-Type application/json;
            proxy_set_header X-DC-DEVKEY $devkey;
            proxy_pass http://v2${v2.pathname}/order/certificate/;
        }

        location / {
            return 404;
        }
    }
}
`;
}

/** A port nothing listens on now; nginx must be told one. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Writes the peer's prefix (nginx.conf, the script, its tables) into `dir` and
 * starts nginx there through `start`, on a free loopback port; another port if
 * that one was taken meanwhile.
 * @param {{ dir: string, v2BaseUrl: string, start: (options: import("./server-process.mjs").ServerOptions) => Promise<import("./server-process.mjs").ServerProcess> }} options
 */
export async function startNginxPeer({ dir, v2BaseUrl, start }) {
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "temp", sub), { recursive: true });
  copyFileSync(SCRIPT, join(dir, "order.js"));
  writeFileSync(
    join(dir, "tables.js"),
    `// The shim's data for order.js; see bench/nginx-peer.mjs.\nexport default ${JSON.stringify(await shimTables())};\n`,
  );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(conf, nginxConf(dir, port, new URL(v2BaseUrl)));
    try {
      return await start({
        name: "nginx + njs",
        command: NGINX,
        args: ["-p", dir, "-c", conf],
        env: {},
        logFile: join(dir, "stdout.log"),
        port,
      });
    } catch (error) {
      if (attempt === BIND_ATTEMPTS || !String(error).includes("Address already in use")) throw error;
    }
  }
}
