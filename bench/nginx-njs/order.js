// The nginx + njs peer of the shim: POST /order/code as a team would write it in
// nginx instead of running the shim. Basic auth in passthrough (the key goes to v2
// as X-DC-DEVKEY), the v1 fields checked, the v2 payload built, the order sent to
// v2 through an nginx subrequest (so on nginx's keep-alive upstream), and v2's
// answer turned into 201 {"order_id": …}. BENCHMARKS.md says which of the shim's
// rules it keeps and which it leaves out. JSON only: no XML, no metrics.
//
// Written for njs 0.7 (Debian 12's libnginx-mod-http-js): no for…of, no spread,
// no Set, hence the plain loops and lookup objects.
//
// tables.js is written by bench/nginx-peer.mjs from the shim's own data (its
// field order, countries, state names, platform tables and email pattern), so
// that the peer never checks against a copy that has drifted.
import tables from "tables.js";

const JSON_BODY = /^application\/(?:vnd\.digicert\.rest-v1\+)?json *(?:;|$)/i;
const BASIC = /^ *basic +([A-Za-z0-9._~+/-]+=*) *$/i;
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const PLATFORM_ID = /^-?\d+$/;
const EMAIL = new RegExp(tables.email);

const REQUIRED = [
  "validity",
  "org_name",
  "org_addr1",
  "org_city",
  "org_state",
  "org_zip",
  "org_country",
  "telephone",
  "org_contact_firstname",
  "org_contact_lastname",
  "org_contact_job_title",
  "org_contact_email",
  "org_contact_telephone",
];
const MAX_LENGTH = {
  org_name: 64,
  org_addr1: 64,
  org_addr2: 64,
  org_city: 64,
  org_state: 64,
  org_zip: 128,
  telephone: 32,
  org_contact_firstname: 128,
  org_contact_lastname: 128,
  org_contact_job_title: 64,
  org_contact_email: 255,
  org_contact_telephone: 32,
  org_contact_telephone_ext: 16,
};
// Matched in any case, as the shim does.
const ONE_OF = {
  validity: ["1", "2", "3"],
  cs_provisioning_method: ["ship_token", "client_app"],
  cs_ship_method: ["standard", "expedited"],
  ev: ["true", "false"],
};
const COUNTRY_FIELDS = ["org_country", "ship_country"];
const SHIP_ADDRESS = ["ship_name", "ship_addr1", "ship_city", "ship_state", "ship_zip", "ship_country"];

const countries = {};
tables.countries.forEach((code) => {
  countries[code] = true;
});
const fieldRank = {};
tables.fields.forEach((field, i) => {
  fieldRank[field] = i;
});

function send(r, status, contentType, body) {
  r.headersOut["Content-Type"] = contentType;
  r.headersOut["X-Request-Id"] = r.variables.request_id;
  r.return(status, JSON.stringify(body));
}

function refuse(r, status, errors) {
  r.variables.v1_errors = errors.map((e) => e.code).join(",");
  send(r, status, "application/vnd.digicert.error+json", { errors: errors });
}

const refusal = (code, description) => ({ code: code, description: description });

/** A v1 value as text: numbers and booleans as their text, "" and null as absent; a list or an object stays as it is. */
function asText(value) {
  if (typeof value === "string") {
    const text = value.trim();
    return text === "" ? undefined : text;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null ? undefined : value;
}

/** `{ order }` with every known field as text, or `{ errors }`: one per field, in the legacy page's order. */
function validate(fields) {
  const order = {};
  const problems = {};
  const problem = (field, kind, message) => {
    if (problems[field] === undefined) problems[field] = refusal(`${kind}:${field}`, `${field} ${message}`);
  };
  tables.fields.forEach((field) => {
    const value = asText(fields[field]);
    if (value === undefined) return;
    order[field] = value;
    if (typeof value !== "string") problem(field, "invalid_param", "must be a single value, not a list or an object");
  });
  REQUIRED.forEach((field) => {
    if (order[field] === undefined) problem(field, "required_param", "is required");
  });
  Object.keys(ONE_OF).forEach((field) => {
    if (typeof order[field] !== "string") return;
    order[field] = order[field].toLowerCase();
    if (ONE_OF[field].indexOf(order[field]) === -1) problem(field, "invalid_param", `must be one of ${ONE_OF[field].join(", ")}`);
  });
  Object.keys(MAX_LENGTH).forEach((field) => {
    if (typeof order[field] === "string" && order[field].length > MAX_LENGTH[field]) {
      problem(field, "invalid_param", `must be at most ${MAX_LENGTH[field]} characters`);
    }
  });
  COUNTRY_FIELDS.forEach((field) => {
    if (typeof order[field] !== "string") return;
    order[field] = order[field].toLowerCase();
    if (countries[order[field]] !== true) problem(field, "invalid_param", "must be a two-letter country code from the legacy list");
  });
  if (typeof order.org_contact_email === "string" && !EMAIL.test(order.org_contact_email)) {
    problem("org_contact_email", "invalid_param", "must be an email address");
  }

  const shipsToken = order.cs_provisioning_method === "ship_token";
  if (order.platform === undefined) {
    if (!shipsToken) problem("platform", "required_param", "is required unless cs_provisioning_method is ship_token");
  } else if (typeof order.platform === "string") {
    if (!PLATFORM_ID.test(order.platform)) {
      problem("platform", "invalid_param", "must be a platform id");
    } else if (problems.ev === undefined && findPlatform(Number(order.platform), order.ev === "true") === undefined) {
      problem("platform", "invalid_param", `must be a platform id of the ${order.ev === "true" ? "EV " : ""}table`);
    }
  }
  if (shipsToken) {
    const given = SHIP_ADDRESS.concat(["ship_addr2"]).filter((field) => order[field] !== undefined);
    if (given.length > 0) {
      SHIP_ADDRESS.forEach((field) => {
        if (order[field] === undefined) problem(field, "required_param", "is required when a token is shipped to an address of its own");
      });
    }
  }

  const failed = Object.keys(problems);
  if (failed.length === 0) return { order: order };
  failed.sort((a, b) => fieldRank[a] - fieldRank[b]);
  return { errors: failed.map((field) => problems[field]) };
}

/** EV orders take the EV table; plain code signing either table. */
function findPlatform(v1Id, ev) {
  const allowed = ev ? tables.platforms.code_signing_ev : tables.platforms.code_signing_ev.concat(tables.platforms.code_signing);
  return allowed.find((platform) => platform.v1_id === v1Id);
}

function spellOutState(state, country) {
  const names = tables.states[country];
  const name = names === undefined ? undefined : names[state.toUpperCase()];
  return name === undefined ? state : name;
}

/** The v2 payload, as README's "The translation" table has it. */
function translate(order, alternativeOrderId) {
  const ev = order.ev === "true";
  const certificate = { signature_hash: "sha256" };
  if (order.platform !== undefined) certificate.server_platform = { id: findPlatform(Number(order.platform), ev).v2_id };
  if (order.org_unit !== undefined) certificate.organization_units = [order.org_unit];
  const organization = {
    name: order.org_name,
    address: order.org_addr1,
    address2: order.org_addr2,
    city: order.org_city,
    state: spellOutState(order.org_state, order.org_country),
    zip: order.org_zip,
    country: order.org_country,
    telephone: order.telephone,
  };
  const contact = (type) => ({
    contact_type: type,
    first_name: order.org_contact_firstname,
    last_name: order.org_contact_lastname,
    job_title: order.org_contact_job_title,
    email: order.org_contact_email,
    telephone: order.org_contact_telephone,
    telephone_extension: order.org_contact_telephone_ext,
  });
  organization.contacts = [contact("organization_contact"), contact("verified_contact")];
  const body = {
    certificate: certificate,
    order_validity: { years: Number(order.validity) },
    organization: organization,
    cs_provisioning_method: order.cs_provisioning_method,
    ship_info: order.cs_provisioning_method === "ship_token" ? shipInfo(order, organization) : undefined,
    // v1 orders had no approval step.
    skip_approval: true,
    alternative_order_id: alternativeOrderId,
  };
  return { product: ev ? "code_signing_ev" : "code_signing", body: body };
}

function shipInfo(order, organization) {
  const method = order.cs_ship_method === "expedited" ? "EXPEDITED" : "STANDARD";
  if (SHIP_ADDRESS.every((field) => order[field] !== undefined)) {
    return {
      name: order.ship_name,
      addr1: order.ship_addr1,
      addr2: order.ship_addr2,
      city: order.ship_city,
      state: spellOutState(order.ship_state, order.ship_country),
      zip: order.ship_zip,
      country: order.ship_country,
      method: method,
    };
  }
  return {
    name: `${order.org_contact_firstname} ${order.org_contact_lastname}`,
    addr1: organization.address,
    addr2: organization.address2,
    city: organization.city,
    state: organization.state,
    zip: organization.zip,
    country: organization.country,
    method: method,
  };
}

/** `Basic base64(account_id:api_key)`, both parts non-empty and the key fit for a header, or undefined. */
function credentials(header) {
  const match = header === undefined ? null : BASIC.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString();
  const colon = decoded.indexOf(":");
  if (colon < 1 || colon === decoded.length - 1) return undefined;
  const apiKey = decoded.slice(colon + 1);
  return HEADER_SAFE.test(apiKey) ? { accountId: decoded.slice(0, colon), apiKey: apiKey } : undefined;
}

/** v2's codes as v1 carries them: `|` written as `:`. */
function v2Errors(reply) {
  let body;
  try {
    body = JSON.parse(reply.responseText);
  } catch (_error) {
    return undefined;
  }
  if (body === null || typeof body !== "object" || !Array.isArray(body.errors) || body.errors.length === 0) return undefined;
  return body.errors.map((e) => refusal(String(e.code).split("|").join(":"), String(e.message)));
}

/** v2's answer → the v1 answer, as README's "v2 answers → v1 answers" table has it, less retries and look-ups. */
function answerFromV2(r, reply) {
  r.variables.v2_status = String(reply.status);
  if (reply.status >= 200 && reply.status < 300) {
    let id;
    try {
      id = JSON.parse(reply.responseText).id;
    } catch (_error) {
      id = undefined;
    }
    if (typeof id !== "number") {
      refuse(r, 503, [refusal("upstream_invalid_answer", "v2 answered an order without an order id.")]);
      return;
    }
    r.variables.v2_order_id = String(id);
    send(r, 201, "application/vnd.digicert.rest-v1+json", { order_id: id });
    return;
  }
  // nginx answers 502 or 504 itself when v2 cannot be reached.
  if (reply.status >= 500) {
    refuse(r, 503, [refusal("upstream_unavailable", "v2 is unavailable; send the order again later.")]);
    return;
  }
  if (reply.status === 429) {
    r.headersOut["Retry-After"] = "5";
    refuse(r, 503, [refusal("upstream_rate_limited", "v2 rate-limited this key; send the order again later.")]);
    return;
  }
  const errors = reply.status === 404 ? undefined : v2Errors(reply);
  if (errors === undefined) {
    refuse(r, 503, [refusal("upstream_invalid_answer", "v2's answer could not be read.")]);
    return;
  }
  const badKey = reply.status === 401 || errors.some((e) => e.code === "access_denied_invalid_key");
  refuse(r, badKey ? 401 : reply.status === 403 ? 403 : 400, errors);
}

function order(r) {
  if (r.method !== "POST") {
    r.headersOut.Allow = "POST, OPTIONS";
    refuse(r, 405, [refusal("method_not_allowed", "POST /order/code takes POST.")]);
    return;
  }
  const account = credentials(r.headersIn.Authorization);
  if (account === undefined) {
    r.headersOut["WWW-Authenticate"] = 'Basic realm="v1"';
    refuse(r, 401, [refusal("access_denied", "Send Basic credentials: account_id:api_key.")]);
    return;
  }
  r.variables.account_id = account.accountId;
  if (!JSON_BODY.test(r.headersIn["Content-Type"] || "")) {
    refuse(r, 415, [refusal("unsupported_media_type", "Send the order as JSON.")]);
    return;
  }
  let fields;
  try {
    fields = JSON.parse(r.requestText);
  } catch (_error) {
    fields = undefined;
  }
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    refuse(r, 400, [refusal("malformed_body", "The JSON body must be an object of v1 fields.")]);
    return;
  }
  const checked = validate(fields);
  if (checked.errors !== undefined) {
    refuse(r, 400, checked.errors);
    return;
  }

  // nginx's own random request id, 32 hex digits, as the shim's are.
  const alternativeOrderId = `v1shim${r.variables.request_id}`;
  r.variables.alternative_order_id = alternativeOrderId;
  const request = translate(checked.order, alternativeOrderId);
  // The subrequest shares this request's variables: the v2 location sends $devkey as X-DC-DEVKEY.
  r.variables.devkey = account.apiKey;
  const sent = Date.now();
  r.subrequest(`/_v2/${request.product}`, { method: "POST", body: JSON.stringify(request.body) }, (reply) => {
    r.variables.v2_latency_ms = String(Date.now() - sent);
    answerFromV2(r, reply);
  });
}

export default { order };
