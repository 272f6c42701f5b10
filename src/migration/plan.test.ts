import { describe, expect, it } from "vitest";
import { ISSUE_PLAN } from "../../test/support/migration-plan.js";
import { enforcementAt, type MigrationPlan, parsePlan, planOfSettings, stageAt, stageReport, stagesOf } from "./plan.js";

function plan(content: unknown): MigrationPlan {
  const parsed = parsePlan(content);
  if ("problems" in parsed) throw new Error(parsed.problems.join("\n"));
  return parsed;
}

const problems = (content: unknown): string[] => {
  const parsed = parsePlan(content);
  return "problems" in parsed ? parsed.problems : [];
};

const at = (iso: string) => Date.parse(iso);

describe("a migration plan", () => {
  it("gives an account its own entry, each field it leaves out the default's, and every other account the default", () => {
    const issue = plan(ISSUE_PLAN);
    const acme = stagesOf(issue, "001007");
    expect(acme).toMatchObject({
      deprecation: at("2026-12-01T00:00:00Z"),
      sunset: at("2027-03-31T00:00:00Z"),
      migrationUrl: "https://wiki.example/v2",
      brownouts: [{ start: at("2027-02-01T14:00:00Z"), end: at("2027-02-01T15:00:00Z"), share: 1 }],
      afterSunset: "refuse",
      enforced: true,
    });
    expect(acme.headers).toEqual({
      Deprecation: `@${at("2026-12-01T00:00:00Z") / 1000}`,
      Sunset: "Wed, 31 Mar 2027 00:00:00 GMT",
      Link: '<https://wiki.example/v2>; rel="deprecation"; type="text/html"',
    });
    for (const other of ["002008", undefined]) {
      expect(stagesOf(issue, other)).toMatchObject({
        sunset: at("2027-06-30T00:00:00Z"),
        brownouts: [],
        afterSunset: "serve",
        enforced: false,
      });
    }
  });

  it("says each account's stage at a time: active, deprecated, in a brownout, the next brownout, sunset", () => {
    const acme = stagesOf(plan(ISSUE_PLAN), "001007");
    const window = acme.brownouts[0];
    const stages = (iso: string) => stageAt(acme, at(iso));
    expect(stages("2026-11-30T23:59:59Z")).toEqual({ stage: "active", brownout: undefined, next: window });
    expect(stages("2026-12-01T00:00:00Z")).toEqual({ stage: "deprecated", brownout: undefined, next: window });
    expect(stages("2027-02-01T14:00:00Z")).toEqual({ stage: "brownout", brownout: window, next: undefined });
    expect(stages("2027-02-01T15:00:00Z")).toEqual({ stage: "deprecated", brownout: undefined, next: undefined });
    expect(stages("2027-03-31T00:00:00Z")).toEqual({ stage: "sunset", brownout: undefined, next: undefined });
    // The default serves on after its sunset: its stage says so, and it refuses nothing.
    const others = stagesOf(plan(ISSUE_PLAN), "002008");
    expect(stageAt(others, at("2027-07-01T00:00:00Z")).stage).toBe("sunset");
    expect(enforcementAt(others, at("2027-07-01T00:00:00Z"))).toBeUndefined();
  });

  it("refuses in a brownout and after a sunset that refuses, and nowhere else", () => {
    const acme = stagesOf(plan(ISSUE_PLAN), "001007");
    expect(enforcementAt(acme, at("2027-01-31T14:30:00Z"))).toBeUndefined();
    expect(enforcementAt(acme, at("2027-02-01T14:30:00Z"))).toEqual({ kind: "brownout", window: acme.brownouts[0] });
    expect(enforcementAt(acme, at("2027-02-01T15:00:00Z"))).toBeUndefined();
    expect(enforcementAt(acme, at("2027-03-31T00:00:00Z"))).toEqual({ kind: "sunset" });
  });

  it("reports a stage as the views show it, times in ISO 8601", () => {
    expect(stageReport(stagesOf(plan(ISSUE_PLAN), "001007"), at("2027-01-15T00:00:00Z"))).toEqual({
      stage: "deprecated",
      deprecation: "2026-12-01T00:00:00Z",
      sunset: "2027-03-31T00:00:00Z",
      after_sunset: "refuse",
      migration_url: "https://wiki.example/v2",
      brownout: null,
      next_brownout: { start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z", share: 1 },
    });
  });

  it("takes the three variables as a default alone, which never refuses", () => {
    const settings = planOfSettings({ deprecationDate: new Date("2027-01-01"), migrationUrl: "https://wiki.example/v2" });
    expect(settings.accounts.size).toBe(0);
    expect(settings.default).toMatchObject({ deprecation: at("2027-01-01T00:00:00Z"), sunset: undefined, enforced: false });
    expect(Object.keys(settings.default.headers)).toEqual(["Deprecation", "Link"]);
    expect(planOfSettings({}).default.headers).toEqual({});
  });

  it("names the account and the field of every problem at once, and never quotes what the file holds", () => {
    const found = problems({
      default: { sunset: "sk_live_not_a_date" },
      accounts: {
        "001007": {
          brownouts: [
            { start: "2027-02-01T15:00:00Z", end: "2027-02-01T14:00:00Z" },
            { start: "2027-02-01", end: "x", share: 2 },
          ],
          api_key: "sk_live_secret",
        },
        "00:7": {},
      },
      extra: true,
    });
    expect(found).toEqual([
      "default sunset: must be an ISO 8601 date such as 2027-06-30",
      "account 001007 brownouts[0].end: must be after start",
      "account 001007 brownouts[1].start: must be an ISO 8601 time with its offset, such as 2027-02-01T14:00:00Z",
      "account 001007 brownouts[1].end: must be an ISO 8601 time with its offset, such as 2027-02-01T14:00:00Z",
      "account 001007 brownouts[1].share: must be a number more than 0 and at most 1",
      'account 001007: Unrecognized key: "api_key"',
      "account 00:7: the account id may not contain a colon: it is the Basic user name",
      'the file: Unrecognized key: "extra"',
    ]);
    expect(found.join("\n")).not.toMatch(/sk_live/);
    expect(problems(null)).toEqual(["the file: Invalid input: expected object, received null"]);
  });

  it("refuses a plan it could not explain to a refused client, each problem once, where it is written", () => {
    expect(
      problems({
        default: { brownouts: [{ start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z" }] },
        accounts: {
          "001007": { deprecation: "2027-05-01", sunset: "2027-04-01" },
          "002008": { after_sunset: "refuse", migration_url: "https://wiki.example/v2" },
          "003009": {
            migration_url: "https://wiki.example/v2",
            brownouts: [
              { start: "2027-02-01T14:00:00Z", end: "2027-02-01T18:00:00Z" },
              { start: "2027-03-01T14:00:00Z", end: "2027-03-01T15:00:00Z" },
              { start: "2027-02-01T16:00:00Z", end: "2027-02-01T17:00:00Z" },
            ],
          },
        },
      }),
    ).toEqual([
      'default migration_url: is needed (here or in default) with brownouts or after_sunset "refuse": a refused client is told where to go',
      "account 001007 sunset: must not be before deprecation",
      'account 002008 after_sunset: "refuse" needs a sunset date',
      "account 003009 brownouts[2].start: overlaps another brownout",
    ]);
  });

  it("is empty for an empty file: no dates, no signals, nothing refused", () => {
    const empty = plan({});
    expect(empty.default).toMatchObject({ headers: {}, enforced: false, afterSunset: "serve" });
    expect(empty.accounts.size).toBe(0);
  });
});
