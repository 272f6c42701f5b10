import { GROUPS, SETTINGS, type Setting, type SettingName } from "./settings.js";

// What the docs say of the settings, made from their declarations (settings.ts):
// docs/configuration.md's tables and deploy/env.example. `npm run gen:config`
// writes them; test/configuration-docs.test.ts fails when the files differ.

/** Where the generated tables of docs/configuration.md begin and end. */
export const TABLE_MARKERS = {
  begin: "<!-- configuration: generated from src/config/settings.ts by `npm run gen:config`; edit there -->",
  end: "<!-- end of the generated configuration -->",
} as const;

const byGroup = (): [string, [SettingName, Setting][]][] =>
  Object.entries(GROUPS).map(([group, title]) => [
    title,
    (Object.entries(SETTINGS) as [SettingName, Setting][]).filter(([, setting]) => setting.group === group),
  ]);

/** The default as the docs show it: the text an operator would write, or what unset means. */
export const shownDefault = (setting: Setting): string =>
  setting.default !== undefined ? (setting.default === "" ? "empty" : `\`${setting.default}\``) : (setting.shownDefault ?? "unset");

const typeOf = (setting: Setting) => (setting.secret ? `${setting.kind.type}; **secret**` : setting.kind.type);

/** docs/configuration.md's tables, one per group, between their markers. */
export function configurationTables(): string {
  const tables = byGroup().map(([title, settings]) =>
    [
      `**${title}**`,
      "",
      "| Variable | Type | Default | Meaning |",
      "|---|---|---|---|",
      ...settings.map(([name, s]) => `| \`${name}\` | ${typeOf(s)} | ${shownDefault(s)} | ${s.meaning} |`),
    ].join("\n"),
  );
  return [TABLE_MARKERS.begin, ...tables, TABLE_MARKERS.end].join("\n\n");
}

/** `text` as comment lines of at most `width` characters. */
function commented(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** deploy/env.example: every variable, commented out at its default, grouped, with its meaning. */
export function envExample(): string {
  const head = [
    ...commented(
      "digicert-v1-shim: every setting, each at its default. Generated from src/config/settings.ts by `npm run gen:config`; test/configuration-docs.test.ts holds it to the declarations. Uncomment a line to set it; an empty value counts as unset. Secrets (marked) belong in a file only the service can read (mode 0600), or in a secret store: systemd's EnvironmentFile, compose's env_file and a Kubernetes Secret all read this format.",
    ),
  ];
  const groups = byGroup().map(([title, settings]) =>
    [
      `## ${title}`,
      ...settings.flatMap(([name, s]) => [
        "",
        ...commented(`${s.meaning} (${s.kind.type}${s.secret ? "; SECRET" : ""}; default: ${shownDefault(s).replaceAll("`", "")})`),
        `#${name}=${s.default ?? ""}`,
      ]),
    ].join("\n"),
  );
  return `${[head.join("\n"), ...groups].join("\n\n")}\n`;
}
