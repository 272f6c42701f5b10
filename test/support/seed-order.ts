import { DEFAULT_PLATFORM_TABLES } from "../../src/contract/platforms.js";
import { makeV1OrderSchema } from "../../src/contract/v1-order.js";
import { toV2OrderRequest } from "../../src/mapping/order-request.js";

/** The fields of the seed's sample request (shared/seeds/003_…), as the legacy page shows them. */
export const SEED_FIELDS = {
  validity: "1",
  platform: "2",
  cs_provisioning_method: "client_app",
  org_name: "My Company",
  org_addr1: "19 Windsor Court",
  org_addr2: "",
  org_city: "Tampa",
  org_state: "FL",
  org_zip: "33615",
  org_country: "US",
  telephone: "555-555-1234",
  org_contact_firstname: "Gary",
  org_contact_lastname: "McCoy",
  org_contact_job_title: "CTO",
  org_contact_email: "gm@example.com",
  org_contact_telephone: "555-555-1234",
  ev: "true",
} as const;

/** The v2 request the seed's order becomes. */
export const seedV2Request = (alternativeOrderId = "v1shimabc") =>
  toV2OrderRequest(makeV1OrderSchema(DEFAULT_PLATFORM_TABLES).parse(SEED_FIELDS), {
    platforms: DEFAULT_PLATFORM_TABLES,
    alternativeOrderId,
  });
