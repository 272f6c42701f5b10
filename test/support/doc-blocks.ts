// The command blocks of the docs that a test runs, and the output blocks it holds them to.
// A block is fenced with an info string: ```sh runnable (exit=N when its last command is to
// exit N, 0 otherwise), or ```text output after a runnable block: each of its lines must be a
// line that block printed, `…` standing for any text.

export interface DocBlock {
  kind: "runnable" | "output";
  /** The 1-based line of the fence, for messages. */
  line: number;
  text: string;
  exit: number;
}

/** The runnable and output blocks of a Markdown text, in order; a fence may be indented (inside a list item). */
export function docBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i]!.match(/^( *)```(\S+)?(?: (.*))?$/);
    if (!fence) continue;
    const [, indent = "", lang = "", info = ""] = fence;
    const end = lines.findIndex((line, j) => j > i && line.trim() === "```");
    const body = lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()));
    const words = info.split(/\s+/);
    const kind =
      lang === "sh" && words.includes("runnable") ? "runnable" : lang === "text" && words.includes("output") ? "output" : undefined;
    if (kind) {
      const exit = Number(words.find((word) => word.startsWith("exit="))?.slice("exit=".length) ?? 0);
      blocks.push({ kind, line: i + 1, text: body.join("\n"), exit });
    }
    i = end;
  }
  return blocks;
}

/** An output block's line as a whole-line pattern: `…` matches any text, the rest as written. */
export const outputLinePattern = (line: string): RegExp =>
  new RegExp(
    `^${line
      .trim()
      .split("…")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
