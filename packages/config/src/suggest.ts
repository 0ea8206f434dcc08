/** The known key closest to `key` (same letters ignoring case and separators, or one edit away). */
export function suggestKey(key: string, known: Iterable<string>): string | undefined {
  const normalise = (value: string): string => value.toLowerCase().replace(/[-_.\s]/g, "");
  const wanted = normalise(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalise(candidate));
    if (
      distance <= Math.max(1, Math.floor(wanted.length / 5)) &&
      (best === undefined || distance < best.distance)
    ) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      let best = Math.min(
        (above[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (above[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}
export function unknownKeyMessage(key: string, known: Iterable<string>, prefix = ""): string {
  const suggestion = suggestKey(key, known);
  return suggestion === undefined
    ? "unknown key, ignored"
    : `unknown key, ignored (did you mean ${prefix}${suggestion}?)`;
}
