// v1 clients sent postal abbreviations ("FL"); the v2 organization and shipping
// objects ask for the full name. Only the US and Canada are spelled out: those are
// the countries whose abbreviations the legacy samples use, and any other value
// is passed through as given rather than guessed at.
const STATE_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  us: {
    AL: "Alabama", AK: "Alaska", AZ: "Arizona", AR: "Arkansas", CA: "California",
    CO: "Colorado", CT: "Connecticut", DE: "Delaware", DC: "District of Columbia",
    FL: "Florida", GA: "Georgia", HI: "Hawaii", ID: "Idaho", IL: "Illinois",
    IN: "Indiana", IA: "Iowa", KS: "Kansas", KY: "Kentucky", LA: "Louisiana",
    ME: "Maine", MD: "Maryland", MA: "Massachusetts", MI: "Michigan", MN: "Minnesota",
    MS: "Mississippi", MO: "Missouri", MT: "Montana", NE: "Nebraska", NV: "Nevada",
    NH: "New Hampshire", NJ: "New Jersey", NM: "New Mexico", NY: "New York",
    NC: "North Carolina", ND: "North Dakota", OH: "Ohio", OK: "Oklahoma", OR: "Oregon",
    PA: "Pennsylvania", RI: "Rhode Island", SC: "South Carolina", SD: "South Dakota",
    TN: "Tennessee", TX: "Texas", UT: "Utah", VT: "Vermont", VA: "Virginia",
    WA: "Washington", WV: "West Virginia", WI: "Wisconsin", WY: "Wyoming",
    AS: "American Samoa", GU: "Guam", MP: "Northern Mariana Islands", PR: "Puerto Rico",
    VI: "U.S. Virgin Islands", UM: "U.S. Minor Outlying Islands",
    AA: "Armed Forces Americas", AE: "Armed Forces Europe", AP: "Armed Forces Pacific",
  },
  ca: {
    AB: "Alberta", BC: "British Columbia", MB: "Manitoba", NB: "New Brunswick",
    NL: "Newfoundland and Labrador", NS: "Nova Scotia", NT: "Northwest Territories",
    NU: "Nunavut", ON: "Ontario", PE: "Prince Edward Island", QC: "Quebec",
    SK: "Saskatchewan", YT: "Yukon",
  },
};

/** `country` is the lowercase code; abbreviations match in any case. */
export function spellOutState(state: string, country: string): string {
  return STATE_NAMES[country]?.[state.toUpperCase()] ?? state;
}
