/** `10m`, `30s`, `1h30m`, `500ms` or plain seconds → milliseconds; undefined for an invalid value. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = trimmed;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (match === null) {
      return undefined;
    }
    total += Number(match[1]) * (units[match[2] ?? "s"] ?? 1000);
    rest = rest.slice(match[0].length);
  }
  return trimmed.length > 0 ? total : undefined;
}
