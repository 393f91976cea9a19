/** Prints a two-column table of figures for humans (the JSON line is for machines). */
export function printTable(title: string, rows: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  console.log(`\n${title}`);
  console.log('-'.repeat(width + 20));
  for (const [k, v] of Object.entries(rows)) {
    const shown = typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(3)) : String(v);
    console.log(`${k.padEnd(width)}  ${shown}`);
  }
}

/** Median of several runs, to damp noise on shared machines. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
