import { findPlatform, type PlatformTables } from "../contract/platforms.js";
import type { V1Order } from "../contract/v1-order.js";
import type { V2Contact, V2OrderBody, V2Product } from "../contract/v2.js";
import { spellOutState } from "./state-names.js";

/** What the translation needs besides the v1 order: configuration, and the id the edge minted. */
export interface OrderTranslationContext {
  platforms: PlatformTables;
  /** Unique per legacy request, so that every v2 order can be traced to the call that made it. */
  alternativeOrderId: string;
  /** Accounts mode: the account's container, and the existing organization its orders are for. */
  containerId?: number | undefined;
  organizationId?: number | undefined;
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
  const contacts = [orgContact(order, "organization_contact"), orgContact(order, "verified_contact")];
  return {
    product: order.ev ? "code_signing_ev" : "code_signing",
    body: {
      certificate: {
        signature_hash: "sha256",
        server_platform: order.platform === undefined ? undefined : { id: v2PlatformId(order.platform, order.ev, ctx.platforms) },
        organization_units: order.org_unit === undefined ? undefined : [order.org_unit],
      },
      order_validity: { years: order.validity },
      container: ctx.containerId === undefined ? undefined : { id: ctx.containerId },
      // An account mapped to an existing organization orders for it; otherwise the org_* fields make one.
      organization: ctx.organizationId === undefined ? { ...newOrganization(order), contacts } : { id: ctx.organizationId, contacts },
      cs_provisioning_method: order.cs_provisioning_method,
      ship_info: order.cs_provisioning_method === "ship_token" ? shipInfo(order) : undefined,
      // v1 orders had no approval step.
      skip_approval: true,
      alternative_order_id: ctx.alternativeOrderId,
    },
  };
}

function newOrganization(order: V1Order) {
  return {
    name: order.org_name,
    address: order.org_addr1,
    address2: order.org_addr2,
    city: order.org_city,
    state: spellOutState(order.org_state, order.org_country),
    zip: order.org_zip,
    country: order.org_country,
    telephone: order.telephone,
  };
}

function orgContact(order: V1Order, contactType: "organization_contact" | "verified_contact"): V2Contact {
  return {
    contact_type: contactType,
    first_name: order.org_contact_firstname,
    last_name: order.org_contact_lastname,
    job_title: order.org_contact_job_title,
    email: order.org_contact_email,
    telephone: order.org_contact_telephone,
    telephone_extension: order.org_contact_telephone_ext,
  };
}

/** The ship_* fields come all together or not at all; with none, the token goes to the organization. */
function shipInfo(order: V1Order): NonNullable<V2OrderBody["ship_info"]> {
  const method = order.cs_ship_method === "expedited" ? "EXPEDITED" : "STANDARD";
  const { ship_name, ship_addr1, ship_addr2, ship_city, ship_state, ship_zip, ship_country } = order;
  if (ship_name && ship_addr1 && ship_city && ship_state && ship_zip && ship_country) {
    return {
      name: ship_name,
      addr1: ship_addr1,
      addr2: ship_addr2,
      city: ship_city,
      state: spellOutState(ship_state, ship_country),
      zip: ship_zip,
      country: ship_country,
      method,
    };
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
