/** One line of the benchmark table: a figure, Signet's value, the baseline measured in the same run, their ratio. */
export interface Row {
  figure: string;
  signet: number;
  baseline: number;
  ratio: number;
  target: string;
  /** null for figures given for information. */
  ok: boolean | null;
}

const number = (value: number): string => {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

/** `figure | Signet | baseline | ratio | target | ok?`, as aligned text or as a Markdown table. */
export function formatTable(rows: Row[], style: 'text' | 'markdown'): string {
  const header = ['figure', 'Signet', 'baseline', 'ratio', 'target', 'ok?'];
  const cells = rows.map((row) => [row.figure, number(row.signet), number(row.baseline), number(row.ratio), row.target, row.ok === null ? '' : row.ok ? 'yes' : 'NO']);
  if (style === 'markdown') {
    return [`| ${header.join(' | ')} |`, `|${header.map((_, index) => (index === 0 || index === 4 ? ' --- ' : ' ---: ')).join('|')}|`, ...cells.map((line) => `| ${line.join(' | ')} |`)].join('\n');
  }
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)));
  const format = (line: string[]) => line.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(format)].join('\n');
}
