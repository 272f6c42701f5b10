/** The migration plan of issue 28 and docs/migration.md, word for word: account 001007's brownout is 2027-02-01, 14:00 to 15:00 UTC. */
export const ISSUE_PLAN = {
  default: { deprecation: "2027-01-01", sunset: "2027-06-30", migration_url: "https://wiki.example/v2" },
  accounts: {
    "001007": {
      deprecation: "2026-12-01",
      sunset: "2027-03-31",
      brownouts: [{ start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z", share: 1.0 }],
      after_sunset: "refuse",
    },
  },
};
