import { auth } from "hono/utils/basic-auth";
import { v1Errors } from "./errors.js";

export interface LegacyCredentials {
  accountId: string;
  apiKey: string;
}

/** `Authorization: Basic base64(account_id:api_key)`, both parts non-empty, or a 401. */
export function basicCredentials(request: Request): LegacyCredentials {
  const credentials = auth(request);
  if (!credentials?.username || !credentials.password) throw v1Errors.authenticationRequired();
  return { accountId: credentials.username, apiKey: credentials.password };
}
