/** Who a legacy request acts for, and how its orders reach v2. */
export interface LegacyAccount {
  accountId: string;
  /** Sent to v2 as X-DC-DEVKEY. */
  v2ApiKey: string;
  /** Accounts mode: the container to order in, and an existing organization to order for. */
  containerId?: number | undefined;
  organizationId?: number | undefined;
  /** With organizationId: the contact joins the organization's verified contacts, instead of being the order's own. */
  addVerifiedContact?: boolean | undefined;
}
