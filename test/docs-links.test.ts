import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every relative link of README.md, CONTRIBUTING.md and docs/ leads somewhere: the file or folder
// exists, and a #fragment names a heading of the page it points to (as GitHub makes a heading's id).

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PAGES = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** The text of a page outside its code blocks and code spans, where links are links. */
const prose = (markdown: string) => markdown.replace(/^ *```[\s\S]*?^ *```$/gm, "").replace(/`[^`\n]*`/g, "");

/** GitHub's id of a heading: lower case, punctuation but `-` and `_` dropped, spaces made `-`; repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text] of markdown.replace(/^ *```[\s\S]*?^ *```$/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = text!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Each relative link target of a page: `[text](target)` and `<img src="target">`. */
function relativeLinks(markdown: string): string[] {
  const text = prose(markdown);
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g), ...text.matchAll(/<img [^>]*src="([^"]+)"/g)].map(([, target]) => target!);
  return targets.filter((target) => !/^[a-z]+:/i.test(target));
}

describe("the docs' relative links", () => {
  it("are found on every page", () => {
    expect(PAGES).toContain("docs/getting-started.md");
    expect(relativeLinks(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThan(10);
  });

  it.each(PAGES)("of %s resolve, each #anchor to a heading of its page", (page) => {
    const broken: string[] = [];
    for (const link of relativeLinks(readFileSync(join(ROOT, page), "utf8"))) {
      const [path = "", anchor] = link.split("#");
      const target = path === "" ? join(ROOT, page) : join(dirname(join(ROOT, page)), decodeURIComponent(path));
      if (!existsSync(target)) broken.push(`${link}: no ${relative(ROOT, target)}`);
      else if (anchor !== undefined) {
        if (statSync(target).isDirectory() || !target.endsWith(".md")) broken.push(`${link}: an anchor into something that is not a page`);
        else if (!headingIds(readFileSync(target, "utf8")).has(anchor))
          broken.push(`${link}: no heading #${anchor} in ${relative(ROOT, target)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("would name a missing page and a missing heading", () => {
    expect(headingIds("# The v1 surface\n## v2 answers → v1 answers\n## Checking a plan: `v1-shim plan`\n## Notes\n## Notes")).toEqual(
      new Set(["the-v1-surface", "v2-answers--v1-answers", "checking-a-plan-v1-shim-plan", "notes", "notes-1"]),
    );
    expect(relativeLinks("[a](docs/x.md#y) `[b](c.md)` [d](https://example.com)\n```\n[e](f.md)\n```")).toEqual(["docs/x.md#y"]);
  });
});
