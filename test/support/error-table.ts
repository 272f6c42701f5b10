/** Each code of the "Error codes the shim defines" table (docs/v1-surface.md) and its statuses. */
export function documentedErrorCodes(readme: string): Map<string, number[]> {
  const section = readme.split(/^## Error codes the shim defines$/m)[1]?.split(/^## /m)[0] ?? "";
  const codes = new Map<string, number[]>();
  for (const line of section.split("\n")) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const statuses = cells[1]?.match(/^\d{3}(, \d{3})*$/) ? cells[1].split(", ").map(Number) : undefined;
    const code = cells[2]?.match(/^`(.+)`$/)?.[1]?.replaceAll("\\|", "|");
    if (statuses && code) codes.set(code, [...(codes.get(code) ?? []), ...statuses].sort());
  }
  return codes;
}

/** How two tables of codes and statuses differ, in either direction. */
export function codeTableDifferences(
  documented: ReadonlyMap<string, readonly number[]>,
  catalogue: ReadonlyMap<string, readonly number[]>,
): string[] {
  const differences: string[] = [];
  for (const [code, statuses] of documented) {
    const defined = catalogue.get(code);
    if (!defined) differences.push(`${code} is documented but not in the catalogue`);
    else if ([...defined].sort().join() !== [...statuses].sort().join()) {
      differences.push(`${code} is documented with ${statuses.join(", ")} but the catalogue says ${defined.join(", ")}`);
    }
  }
  for (const code of catalogue.keys()) if (!documented.has(code)) differences.push(`${code} is in the catalogue but not documented`);
  return differences;
}
