/** Splits a list typed one per line or comma-separated. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** A list shown one entry per line, for a textarea. */
export function joinList(entries: readonly string[]): string {
  return entries.join('\n');
}
