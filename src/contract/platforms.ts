import { z } from "zod";

const platformSchema = z.object({
  /** The id a v1 client sends in `platform`. */
  v1_id: z.number().int(),
  name: z.string().min(1),
  /** The `certificate.server_platform.id` sent to v2. */
  v2_id: z.number().int(),
});

/**
 * The legacy platform tables and what each id becomes in v2. Which v2 id an
 * account's token or HSM has is the operator's knowledge, not the shim's, so an
 * operator can replace the whole table with a JSON file of this shape
 * (SHIM_PLATFORMS_FILE).
 */
export const platformTablesSchema = z.object({
  code_signing: z.array(platformSchema).min(1),
  code_signing_ev: z.array(platformSchema).min(1),
});
export type PlatformTables = z.infer<typeof platformTablesSchema>;
export type Platform = z.infer<typeof platformSchema>;

// Every legacy id becomes -1 ("other"), which v2 accepts for any code-signing order.
// The legacy EV ids (2-17: old eTokens and HSMs) are not v2 ids: v2's server_platform
// ids are one space shared with TLS server types (2 is Apache there), and the tokens
// DigiCert supports today have other ids (20, 23, 24), so passing a legacy id on would
// order the wrong platform or be refused. v2 turns the software ids 51-57 into -1
// itself; 64 is just as software-only. Operators who know their account's ids map
// them with SHIM_PLATFORMS_FILE.
export const DEFAULT_PLATFORM_TABLES: PlatformTables = {
  code_signing: [
    { v1_id: 51, name: "Microsoft Authenticode", v2_id: -1 },
    { v1_id: 52, name: "Adobe AIR", v2_id: -1 },
    { v1_id: 53, name: "Apple OS X", v2_id: -1 },
    { v1_id: 54, name: "Microsoft Office VBA", v2_id: -1 },
    { v1_id: 55, name: "Sun Java", v2_id: -1 },
    { v1_id: 56, name: "Mozilla", v2_id: -1 },
    { v1_id: 57, name: "Other", v2_id: -1 },
    { v1_id: 64, name: "Microsoft Kernel-Mode Code", v2_id: -1 },
  ],
  code_signing_ev: [
    { v1_id: -1, name: "Other FIPS 140-2 Level 2 device", v2_id: -1 },
    { v1_id: 2, name: "SafeNet eToken PRO Anywhere", v2_id: -1 },
    { v1_id: 3, name: "SafeNet eToken PRO 72K", v2_id: -1 },
    { v1_id: 6, name: "SafeNet eToken 5100", v2_id: -1 },
    { v1_id: 7, name: "SafeNet eToken 5105", v2_id: -1 },
    { v1_id: 8, name: "SafeNet eToken 5200", v2_id: -1 },
    { v1_id: 9, name: "SafeNet eToken 5205", v2_id: -1 },
    { v1_id: 10, name: "SafeNet iKey 4000", v2_id: -1 },
    { v1_id: 12, name: "SafeNet Luna", v2_id: -1 },
    { v1_id: 13, name: "Thales nShield", v2_id: -1 },
    { v1_id: 14, name: "Utimaco CryptoServer", v2_id: -1 },
    { v1_id: 15, name: "AEP Keyper", v2_id: -1 },
    { v1_id: 16, name: "ARX PrivateServer", v2_id: -1 },
    { v1_id: 17, name: "Bull Trustway Crypto PCI", v2_id: -1 },
  ],
};

/**
 * EV orders take only hardware platforms; plain code signing takes either table,
 * since after 2023 its keys must live on hardware too.
 */
export function allowedPlatforms(tables: PlatformTables, ev: boolean): readonly Platform[] {
  return ev ? tables.code_signing_ev : [...tables.code_signing_ev, ...tables.code_signing];
}

export function findPlatform(tables: PlatformTables, v1Id: number, ev: boolean): Platform | undefined {
  return allowedPlatforms(tables, ev).find((p) => p.v1_id === v1Id);
}
