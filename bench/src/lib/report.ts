// The shape of a benchmark's results and their rendering: every figure sits
// next to the baseline measured in the same run, with their ratio, because
// absolute numbers on a shared 2-core machine say little on their own.

/** One measured figure and its baseline. */
export interface Figure {
  /** What was measured, e.g. "join response 20×2: encode+decode". */
  name: string;
  /** Unit of value and baseline, e.g. "ops/s", "ms", "bytes". */
  unit: string;
  /** The @x figure. */
  value: number;
  /** The baseline's figure, measured in the same run. */
  baseline?: number;
  /** Name of the baseline, e.g. "JSON (v2)". */
  baselineName?: string;
  /** value / baseline. */
  ratio?: number;
  /** Whether a larger value is better (ops/s) or worse (ms, bytes): says how to read the ratio. */
  higherIsBetter: boolean;
  /** Anything needed to read the figure honestly. */
  note?: string;
}

/** What one benchmark returns. */
export interface BenchResult {
  /** Short name, as given on the command line. */
  name: string;
  /** One-line description. */
  title: string;
  /** The figures. */
  figures: Figure[];
  /** Free-form details for the JSON file (raw samples, settings). */
  details?: Record<string, unknown>;
  /** Paragraphs printed under the table. */
  notes?: string[];
  /** More markdown (e.g. a table of steps), printed after the notes. */
  extraMarkdown?: string;
  /** Wall time of the benchmark, in seconds. */
  seconds?: number;
}

/** A figure with its ratio filled in. */
export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const ratio =
    f.baseline !== undefined && f.baseline !== 0 && Number.isFinite(f.baseline)
      ? f.value / f.baseline
      : undefined;
  return { ...f, ratio };
}

/** A number with about three significant digits, thousands separated. */
export function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '–';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  if (abs === 0) return '0';
  return n.toPrecision(2);
}

/** "1.23×", with a word saying whether that is better or worse for @x. */
export function ratioText(f: Figure): string {
  if (f.ratio === undefined) return '–';
  const r = f.ratio;
  const better = f.higherIsBetter ? r > 1 : r < 1;
  const same = Math.abs(r - 1) < 0.05;
  const word = same ? 'about equal' : better ? 'better' : 'worse';
  return `${r.toFixed(r >= 10 ? 1 : 2)}× (${word})`;
}

/** The markdown table of one benchmark. */
export function markdownTable(result: BenchResult): string {
  const lines = [
    '| figure | @x | baseline | baseline value | ratio @x/baseline | unit | note |',
    '| --- | ---: | --- | ---: | --- | --- | --- |',
  ];
  for (const f of result.figures) {
    const cells = [
      f.name,
      fmt(f.value),
      f.baselineName ?? '–',
      fmt(f.baseline),
      ratioText(f),
      f.unit,
      f.note ?? '',
    ];
    lines.push(`| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One line per figure, for the console. */
export function consoleLines(result: BenchResult): string[] {
  return result.figures.map((f) => {
    const base =
      f.baseline === undefined ? '' : ` vs ${f.baselineName} ${fmt(f.baseline)} → ${ratioText(f)}`;
    return `  ${f.name}: ${fmt(f.value)} ${f.unit}${base}`;
  });
}
