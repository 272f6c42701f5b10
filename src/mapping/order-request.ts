import { findPlatform, type PlatformTables } from "../contract/platforms.js";
import type { V1Order } from "../contract/v1-order.js";
import type { V2Contact, V2OrderBody, V2Product } from "../contract/v2.js";
import { fromV1, V1_SOURCES } from "./field-sources.js";
import { spellOutState } from "./state-names.js";

/** What the translation needs besides the v1 order: configuration, and the id the edge minted. */
export interface OrderTranslationContext {
  platforms: PlatformTables;
  /** Unique per legacy request, so that every v2 order can be traced to the call that made it. */
  alternativeOrderId: string;
  /** Accounts mode: the account's container, and the existing organization its orders are for. */
  containerId?: number | undefined;
  organizationId?: number | undefined;
  /** With organizationId: add the v1 contact to the organization as a verified contact, on every order. */
  addVerifiedContact?: boolean | undefined;
}

export interface V2OrderRequest {
  product: V2Product;
  body: V2OrderBody & { alternative_order_id: string };
}

/**
 * v1 `POST /order/code` fields → v2 `POST /order/certificate/{product}` payload.
 * Pure: the same order and context always give the same request. The order has
 * passed the v1 schema, so its cross-field rules hold here.
 */
export function toV2OrderRequest(order: V1Order, ctx: OrderTranslationContext): V2OrderRequest {
  const { certificate, order_validity } = V1_SOURCES;
  const platform = order[V1_SOURCES["certificate.server_platform"].id];
  const orgUnit = order[certificate.organization_units];
  return {
    product: order.ev ? "code_signing_ev" : "code_signing",
    body: {
      certificate: {
        signature_hash: "sha256",
        server_platform: platform === undefined ? undefined : { id: v2PlatformId(platform, order.ev, ctx.platforms) },
        organization_units: orgUnit === undefined ? undefined : [orgUnit],
      },
      order_validity: { years: order[order_validity.years] },
      container: ctx.containerId === undefined ? undefined : { id: ctx.containerId },
      ...organizationOf(order, ctx),
      cs_provisioning_method: order[V1_SOURCES[""].cs_provisioning_method],
      ship_info: order.cs_provisioning_method === "ship_token" ? shipInfo(order) : undefined,
      // v1 orders had no approval step.
      skip_approval: true,
      alternative_order_id: ctx.alternativeOrderId,
    },
  };
}

/**
 * The org_* fields make a new organization, its contacts from org_contact_*. An
 * account mapped to an existing organization orders for it by id alone, and the
 * contact is the order's own organization_contact: in organization.contacts v2
 * would add it to the organization as a new verified contact, emailed for
 * approval, on every order; unless the account asks for exactly that.
 */
function organizationOf(order: V1Order, ctx: OrderTranslationContext): Pick<V2OrderBody, "organization" | "organization_contact"> {
  const contacts = [orgContact(order, "organization_contact"), orgContact(order, "verified_contact")];
  if (ctx.organizationId === undefined) return { organization: { ...newOrganization(order), contacts } };
  if (ctx.addVerifiedContact) return { organization: { id: ctx.organizationId, contacts } };
  return { organization: { id: ctx.organizationId }, organization_contact: fromV1(order, V1_SOURCES.organization_contact) };
}

function newOrganization(order: V1Order) {
  return { ...fromV1(order, V1_SOURCES.organization), state: spellOutState(order.org_state, order.org_country) };
}

function orgContact(order: V1Order, contactType: "organization_contact" | "verified_contact"): V2Contact {
  return { contact_type: contactType, ...fromV1(order, V1_SOURCES["organization.contacts"]) };
}

/** The ship_* fields come all together or not at all; with none, the token goes to the organization. */
function shipInfo(order: V1Order): NonNullable<V2OrderBody["ship_info"]> {
  const method = order.cs_ship_method === "expedited" ? "EXPEDITED" : "STANDARD";
  const { name, addr1, addr2, city, state, zip, country } = fromV1(order, V1_SOURCES.ship_info);
  if (name && addr1 && city && state && zip && country) {
    return { name, addr1, addr2, city, state: spellOutState(state, country), zip, country, method };
  }
  const organization = newOrganization(order);
  return {
    name: `${order.org_contact_firstname} ${order.org_contact_lastname}`,
    addr1: organization.address,
    addr2: organization.address2,
    city: organization.city,
    state: organization.state,
    zip: organization.zip,
    country: organization.country,
    method,
  };
}

function v2PlatformId(v1Id: number, ev: boolean, tables: PlatformTables): number {
  const platform = findPlatform(tables, v1Id, ev);
  if (!platform) throw new Error(`platform ${v1Id} passed validation but is not in the platform table`);
  return platform.v2_id;
}
