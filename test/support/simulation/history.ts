import { pino } from "pino";
import { DEFAULT_PLATFORM_TABLES } from "../../../src/contract/platforms.js";
import { makeV1OrderSchema, type V1Order } from "../../../src/contract/v1-order.js";
import { ALTERNATIVE_ORDER_ID_PLACEHOLDER } from "../../../src/mapping/order-pipeline.js";
import { toV2OrderRequest } from "../../../src/mapping/order-request.js";
import { type DeskAnswer, OrderDesk } from "../../../src/ordering/desk.js";
import { Reconciler } from "../../../src/ordering/reconciler.js";
import { V2Client } from "../../../src/v2/client.js";
import { Pacer } from "../../../src/v2/pacer.js";
import { SEED_FIELDS } from "../seed-order.js";
import { SimStore, type StoreFaults } from "./store.js";
import { SimV2, type V2Faults } from "./v2.js";
import { type Owner, SimWorld } from "./world.js";

// One history: two or three replicas of the desk on one store, a v2 that loses
// answers, clients that retry, replicas that crash and restart. What the world did
// is checked against what the desk promises, whatever the seed.

export interface HistoryShape {
  replicas: number;
  /** Passthrough: v2 judges each request's key (and some are wrong); accounts mode: the desk orders for the account. */
  identity: "key" | "account";
  /** SHIM_STATE_REQUIRED. */
  required: boolean;
  windowMs: number;
  intents: number;
  crashes: number;
  store: StoreFaults;
  v2: Omit<V2Faults, "calmAt">;
  /** A client's answer lost on the way back, so that it sends the same order again. */
  lostAnswers: number;
}

/** Something a client meant to order once: one account, one order, perhaps one Idempotency-Key. */
interface Intent {
  index: number;
  accountId: string;
  apiKey: string;
  fields: Record<string, string>;
  order: V1Order;
  idempotencyKey: string | undefined;
  /** Sent with a key v2 does not know, with another intent's order: it must never be answered with an order. */
  wrongKeyFor?: number;
}

interface RequestRecord {
  intent: Intent;
  /** The desk threw: the client would have had a 500. */
  failure?: string;
  requestId: string;
  replica: string;
  arrivedAt: number;
  budgetMs: number;
  answeredAt?: number;
  answer?: DeskAnswer;
}

interface LogLine {
  msg: string;
  level: number;
  req_id?: string;
  alternative_order_id?: string;
  replica: string;
  event: number;
}

export interface HistoryResult {
  seed: number;
  shape: HistoryShape;
  violations: string[];
  /** What happened, for reading a failing seed: every request, log line and v2 order, in order. */
  story: () => string[];
  stats: { requests: number; orders: number; events: number; crashes: number; unprotected: number; replays: number };
}

/**
 * When the world calms down: no fault of v2, the store or the network, no crash, no
 * lost answer after it. Every fault ends well before, and so does every lease a crash
 * left. From then on a client is answered: an order, or v2's refusal of it, within
 * CALM_REQUESTS requests, however the desk was left (its liveness).
 */
const CALM_AFTER_MS = 5 * 60_000;
const CALM_REQUESTS = 3;
/** A history that runs longer than this has lost its way: a request or a client that never ends. */
const MAX_EVENTS = 200_000;
const POLICY = { attempts: 3, timeoutMs: 30_000, retryBaseMs: 250, retryAfterCapMs: 10_000, paceMaxWaitMs: 2_000 };
const DEADLINE_MS = 55_000;
const CLIENT_TIMEOUT_MS = 60_000;
const RECONCILE_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
const ACCOUNTS = ["001007", "002008", "003009"];
const schema = makeV1OrderSchema(DEFAULT_PLATFORM_TABLES);

/** Fields the translation drops or folds: two orders differing only in one of them are still two orders. */
const FOLDED: readonly Record<string, string>[] = [
  { platform: "3" },
  { platform: "6" },
  { cs_ship_method: "expedited" },
  { ship_name: "Dock", ship_addr1: "1 Pier", ship_city: "Tampa", ship_state: "FL", ship_zip: "33615", ship_country: "US" },
  { org_contact_job_title: "CEO" },
];

/** The shape of history a seed makes: every fault, in every mix, across seeds. */
export function shapeOf(seed: number, overrides: Partial<HistoryShape> = {}): HistoryShape {
  const world = new SimWorld(seed ^ 0x5eed);
  const outages = Array.from({ length: world.int(0, 2) }, () => {
    const from = world.now + world.int(0, 120_000);
    return { kind: world.pick(["down", "paused"] as const), from, to: from + world.int(500, 40_000) };
  });
  return {
    replicas: world.int(2, 3),
    identity: world.pick(["key", "account"] as const),
    required: world.chance(0.3),
    windowMs: world.chance(0.9) ? 600_000 : 0,
    intents: world.int(2, 8),
    crashes: world.int(0, 3),
    store: { outages, lostAnswer: world.chance(0.5) ? 0.05 : 0 },
    v2: { rate: world.pick([0, 0.1, 0.3, 0.6]), uniqueAlternativeIds: world.chance(0.5), slowMs: world.pick([100, 40_000]) },
    lostAnswers: world.pick([0, 0.2, 0.5]),
    ...overrides,
  };
}

export async function runHistory(seed: number, shape: HistoryShape = shapeOf(seed)): Promise<HistoryResult> {
  const world = new SimWorld(seed);
  const keys = new Map(ACCOUNTS.map((a) => [a, `key-${a}-0123456789`]));
  const refused = new Set<string>();
  const intents = makeIntents(world, shape, keys, refused);
  const calmAt = world.now + CALM_AFTER_MS;
  const v2 = new SimV2(world, new Set(keys.values()), { ...shape.v2, calmAt }, refused);
  const store = new SimStore(world, shape.store, calmAt);
  const logs: LogLine[] = [];
  const requests: RequestRecord[] = [];
  let ids = 0;
  let crashes = 0;

  /** A replica's process: its desk, its reconciler, its timers; a crash drops them all, the store keeps what it was sent. */
  interface Replica {
    name: string;
    owner: Owner;
    desk: OrderDesk;
  }
  const start = (name: string): Replica => {
    const owner: Owner = { name, alive: true };
    const logger = pino(
      { level: "info", base: undefined, timestamp: false },
      { write: (line: string) => logs.push({ ...(JSON.parse(line) as LogLine), replica: name, event: world.events }) },
    );
    const clock = world.clockFor(owner);
    const client = new V2Client(v2.transportFor(owner), new Pacer([]), undefined, clock);
    const handle = store.handleFor(owner);
    const desk = new OrderDesk(
      handle,
      client,
      logger,
      { replicaId: name, identity: shape.identity, windowMs: shape.windowMs, required: shape.required, policy: POLICY },
      { clock, random: world.random, newId: () => `v1shim${(++ids).toString(16).padStart(32, "0")}` },
      { unprotected: () => undefined, ledgerWriteFailed: () => undefined },
    );
    const every = (ms: number, work: () => Promise<unknown>) => {
      const tick = () => {
        void work().catch(() => undefined);
        world.at(ms, tick, owner);
      };
      world.at(world.int(0, ms), tick, owner);
    };
    if (shape.identity === "account") {
      const reconciler = new Reconciler(handle, client, (accountId) => keys.get(accountId), logger, {
        intervalMs: RECONCILE_EVERY_MS,
        forMs: 3_600_000,
        replicaId: name,
        limits: { timeoutMs: POLICY.timeoutMs, maxPaceWaitMs: POLICY.paceMaxWaitMs },
        now: () => world.now,
      });
      every(RECONCILE_EVERY_MS, () => reconciler.round());
    }
    every(SWEEP_EVERY_MS, () => handle.sweep({ now: world.now, ledgerRetentionMs: 30 * 86_400_000, clientsRetentionMs: 90 * 86_400_000 }));
    return { name, owner, desk };
  };
  const replicas = Array.from({ length: shape.replicas }, (_, i) => start(`r${i}`));

  for (let i = 0; i < shape.crashes; i++) {
    world.at(world.int(0, CALM_AFTER_MS / 2), () => {
      const victim = world.pick(replicas);
      if (!victim.owner.alive) return;
      victim.owner.alive = false;
      crashes++;
      // Back after a while: under the same name, as a restarted process keeps SHIM_REPLICA_ID.
      world.at(world.int(100, 30_000), () => replicas.splice(replicas.indexOf(victim), 1, start(victim.name)));
    });
  }

  let clientsLeft = intents.length;
  for (const intent of intents) {
    void client(intent).finally(() => clientsLeft--);
  }

  /** A legacy client: sends its order, and sends it again after any answer but an order or a refusal. */
  async function client(intent: Intent): Promise<void> {
    let calmRequests = 0;
    // Past its calm budget a client gives up, and the check says so.
    for (let attempt = 1; calmRequests <= CALM_REQUESTS; attempt++) {
      await world.after(attempt === 1 ? world.int(0, 20_000) : world.int(100, 40_000), () => undefined);
      const replica = world.pick(replicas);
      if (!replica.owner.alive) continue;
      if (world.now >= calmAt) calmRequests++;
      const record: RequestRecord = {
        intent,
        requestId: `req-${intent.index}-${attempt}`,
        replica: replica.name,
        arrivedAt: world.now,
        budgetMs: DEADLINE_MS,
      };
      requests.push(record);
      const { product, body } = toV2OrderRequest(intent.order, {
        platforms: DEFAULT_PLATFORM_TABLES,
        alternativeOrderId: ALTERNATIVE_ORDER_ID_PLACEHOLDER,
      });
      const placing = replica.desk
        .place({
          requestId: record.requestId,
          accountId: intent.accountId,
          v2ApiKey: intent.apiKey,
          order: intent.order,
          product,
          body,
          idempotencyKey: intent.idempotencyKey,
          budgetMs: DEADLINE_MS,
        })
        .then(
          (answer) => {
            record.answer = answer;
            record.answeredAt = world.now;
            return answer;
          },
          (error: unknown) => {
            record.failure = String(error);
            return undefined;
          },
        );
      const heard = await Promise.race([placing, world.after(CLIENT_TIMEOUT_MS, () => undefined)]);
      if (!heard || (world.now < calmAt && world.chance(shape.lostAnswers))) continue;
      if (final(heard) || intent.wrongKeyFor !== undefined) return;
    }
  }

  const ended = await world
    .run(() => clientsLeft === 0, MAX_EVENTS)
    .then(
      async () => {
        // Long enough for every lease to run out, the sweep to mark what was left unknown, and the reconciler to look.
        const quietUntil = world.now + 10 * 60_000;
        await world.run(() => world.now >= quietUntil, MAX_EVENTS);
        return [];
      },
      (error: unknown) => [String(error)],
    );
  const violations = [...ended, ...(await check({ world, intents, requests, logs, v2, ledger: store.store, shape, calmAt }))];
  return {
    seed,
    shape,
    violations,
    story: () => [
      ...intents.map(
        (i) =>
          `intent ${i.index}: ${i.accountId} ${i.apiKey} key=${i.idempotencyKey} wrongKeyFor=${i.wrongKeyFor} ${JSON.stringify(i.order)}`,
      ),
      ...requests.map((r) => `request ${r.requestId} -> ${r.replica} at ${r.arrivedAt}: ${r.answeredAt} ${JSON.stringify(r.answer)}`),
      ...logs.map((l) => `log @${l.event} ${l.replica}: ${JSON.stringify(l)}`),
      ...v2.creates.map((c) => `create @${c.event} ${c.alternativeOrderId} at ${c.at}`),
      ...v2.orders.map((o) => `order ${o.id} ${o.alternativeOrderId} ${o.apiKey} @${o.event}`),
    ],
    stats: {
      requests: requests.length,
      orders: v2.orders.length,
      events: world.events,
      crashes,
      unprotected: logs.filter(isUnprotected).length,
      replays: requests.filter((r) => r.answer?.kind === "replayed").length,
    },
  };
}

/** An answer after which a client sends nothing more: an order, or a refusal of what it sent. */
function final(answer: DeskAnswer): boolean {
  if (answer.kind === "replayed" || answer.kind === "key_reused") return true;
  if (answer.kind !== "placed") return false;
  return answer.placement.kind !== "gave_up";
}

function makeIntents(world: SimWorld, shape: HistoryShape, keys: Map<string, string>, refused: Set<string>): Intent[] {
  const intents: Intent[] = [];
  const made = new Set<string>();
  for (let index = 0; index < shape.intents; index++) {
    // Some intents are another's order with one field changed that the translation drops or folds.
    const twin = index > 0 && world.chance(0.4) ? intents[world.int(0, index - 1)] : undefined;
    let fields: Record<string, string> = twin ? { ...twin.fields, ...world.pick(FOLDED) } : { ...SEED_FIELDS, org_name: `Org ${index}` };
    const accountId = twin?.accountId ?? world.pick(ACCOUNTS);
    // Two intents of one account with one order would be one order, as the shim means them to be.
    if (made.has(JSON.stringify([accountId, fields]))) fields = { ...SEED_FIELDS, org_name: `Org ${index}` };
    made.add(JSON.stringify([accountId, fields]));
    if (!twin && world.chance(0.1)) refused.add(fields.org_name!);
    intents.push({
      index,
      accountId,
      apiKey: keys.get(accountId)!,
      fields,
      order: schema.parse(fields),
      idempotencyKey: world.chance(0.3) ? `key-${index}` : undefined,
    });
  }
  // Passthrough: someone with the account id and an order of it, but another key, tries to be answered.
  if (shape.identity === "key" && intents.length > 0) {
    const victim = world.pick(intents);
    intents.push({ ...victim, index: intents.length, apiKey: `wrong-${victim.accountId}`, wrongKeyFor: victim.index });
  }
  return intents;
}

const isPlacingLine = (l: LogLine) => l.msg === "placing order";
const isUnprotected = (l: LogLine) => l.msg.startsWith("the state store cannot be used");

interface Checked {
  world: SimWorld;
  intents: Intent[];
  requests: RequestRecord[];
  logs: LogLine[];
  v2: SimV2;
  ledger: SimStore["store"];
  shape: HistoryShape;
  calmAt: number;
}

/** Every promise of the desk, against what happened. */
async function check({ intents, requests, logs, v2, ledger, shape, calmAt }: Checked): Promise<string[]> {
  const violations: string[] = [];
  for (const r of requests) if (r.failure) violations.push(`${r.requestId} failed: ${r.failure}`);
  for (const intent of intents) {
    const calm = requests.filter((r) => r.intent === intent && r.arrivedAt >= calmAt);
    if (calm.length > CALM_REQUESTS) violations.push(`order ${intent.index} took ${calm.length} requests once all was calm`);
  }
  const intentOfRequest = new Map(requests.map((r) => [r.requestId, r.intent]));
  // Which intents each alternative_order_id was placed for, from the traces written before each send.
  const placedFor = new Map<string, Set<number>>();
  const firstTrace = new Map<string, number>();
  for (const line of logs.filter(isPlacingLine)) {
    const id = line.alternative_order_id!;
    const intent = intentOfRequest.get(line.req_id!)!;
    placedFor.set(id, (placedFor.get(id) ?? new Set()).add(intent.index));
    if (!firstTrace.has(id)) firstTrace.set(id, line.event);
  }
  const unprotectedIntents = new Set(logs.filter(isUnprotected).map((l) => intentOfRequest.get(l.req_id!)!.index));
  const ordersById = new Map(v2.orders.map((o) => [o.id, o]));

  for (const create of v2.creates) {
    const traced = firstTrace.get(create.alternativeOrderId);
    if (traced === undefined || traced > create.event) violations.push(`${create.alternativeOrderId} reached v2 without a trace before it`);
  }
  for (const [id, forIntents] of placedFor) {
    if (forIntents.size > 1) violations.push(`${id} was placed for several orders: ${[...forIntents].join(", ")}`);
  }

  const answered = new Set<number>();
  for (const r of requests) {
    if (r.answeredAt !== undefined && r.answeredAt > r.arrivedAt + r.budgetMs) {
      violations.push(`${r.requestId} was answered ${r.answeredAt - r.arrivedAt - r.budgetMs} ms past its deadline`);
    }
    const orderId = orderIdOf(r.answer);
    if (orderId === undefined) continue;
    answered.add(orderId);
    const order = ordersById.get(orderId);
    if (!order) {
      violations.push(`${r.requestId} was answered with ${orderId}, which v2 never made`);
      continue;
    }
    if (order.apiKey !== r.intent.apiKey) violations.push(`${r.requestId} was answered with ${orderId}, made with another credential`);
    const owners = placedFor.get(order.alternativeOrderId) ?? new Set();
    if (!owners.has(r.intent.index) || owners.size !== 1) {
      violations.push(`${r.requestId} (order ${r.intent.index}) was answered with ${orderId}, placed for ${[...owners].join(", ")}`);
    }
    if (r.answer?.kind === "key_reused") violations.push(`${r.requestId} was told its key was reused with another order`);
  }

  const ordersOfIntent = new Map<number, number[]>();
  for (const order of v2.orders) {
    for (const intent of placedFor.get(order.alternativeOrderId) ?? []) {
      ordersOfIntent.set(intent, [...(ordersOfIntent.get(intent) ?? []), order.id]);
    }
    const record = await ledger.getPlacement(order.alternativeOrderId);
    const kept = record && ((record.state === "created" && record.v2_order_id === order.id) || record.state === "unknown");
    // Without a record (placed while the store could not be used), the log is its trace: an error line to reconcile
    // by, or, when its process died before that, the warn line that said it went without a record.
    const toReconcile = logs.some(
      (l) => l.alternative_order_id === order.alternativeOrderId && ((l.level >= 50 && l.msg.includes("reconcile")) || isUnprotected(l)),
    );
    if (!answered.has(order.id) && !kept && !toReconcile) {
      violations.push(
        `order ${order.id} (${order.alternativeOrderId}) was neither answered nor kept to reconcile (ledger: ${record?.state})`,
      );
    }
    if (record && (record.state === "failed" || record.state === "refused")) {
      violations.push(`the ledger says ${order.alternativeOrderId} ${record.state}, but v2 holds order ${order.id}`);
    }
  }
  // With the window off, every request without a key is a new order, as SHIM_RETRY_WINDOW_MS=0 means.
  const windowOff = new Set(intents.filter((i) => shape.windowMs === 0 && i.idempotencyKey === undefined).map((i) => i.index));
  for (const [intent, orders] of ordersOfIntent) {
    if (orders.length > 1 && !(unprotectedIntents.has(intent) && !shape.required) && !windowOff.has(intent)) {
      violations.push(`order ${intent} was made ${orders.length} times: ${orders.join(", ")}`);
    }
  }
  for (const intent of intents)
    if (intent.wrongKeyFor !== undefined && ordersOfIntent.has(intent.index)) violations.push(`a wrong key made order ${intent.index}`);
  return violations;
}

function orderIdOf(answer: DeskAnswer | undefined): number | undefined {
  if (answer?.kind === "replayed") return answer.orderId;
  if (answer?.kind === "placed" && (answer.placement.kind === "created" || answer.placement.kind === "found"))
    return answer.placement.orderId;
  return undefined;
}
