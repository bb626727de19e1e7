import { readFileSync, writeFileSync } from 'node:fs';

export interface LatencyPoint {
  fraction: number;
  offered: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
}

export interface Series {
  label: string;
  points: LatencyPoint[];
}

const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * An SVG line chart of latency (log scale, ms) against offered load (messages/s): p50 solid, p99
 * dashed, one colour per series. Hand-written so the benchmark needs no plotting library.
 */
export function latencySvg(series: Series[]): string {
  const width = 720;
  const height = 420;
  const left = 70;
  const right = 200;
  const top = 30;
  const bottom = 50;
  const points = series.flatMap((s) => s.points);
  const maxX = Math.max(1, ...points.map((p) => p.offered)) * 1.05;
  const values = points.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  const minY = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...values)))));
  const maxY = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...values))));
  const x = (v: number): number => left + (v / maxX) * (width - left - right);
  const y = (v: number): number =>
    top +
    (1 - (Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) *
      (height - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">End-to-end latency against offered load (p50 solid, p99 dashed)</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="black"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">offered load (messages/s)</text>`,
    `<text x="16" y="${(top + height - bottom) / 2}" transform="rotate(-90 16 ${(top + height - bottom) / 2})" text-anchor="middle">latency (ms, log)</text>`,
  ];
  for (let v = minY; v <= maxY; v *= 10) {
    out.push(`<line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  const step =
    Math.pow(10, Math.floor(Math.log10(maxX))) /
    (maxX / Math.pow(10, Math.floor(Math.log10(maxX))) < 3 ? 2 : 1);
  for (let v = 0; v <= maxX; v += step) {
    out.push(
      `<line x1="${x(v)}" y1="${height - bottom}" x2="${x(v)}" y2="${height - bottom + 5}" stroke="black"/>`,
    );
    out.push(
      `<text x="${x(v)}" y="${height - bottom + 18}" text-anchor="middle">${Math.round(v).toLocaleString('en-US')}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = colors[i % colors.length] ?? 'black';
    for (const [key, dash] of [
      ['p50', ''],
      ['p99', ' stroke-dasharray="6 4"'],
    ] as const) {
      const path = s.points.map((p) => `${x(p.offered).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const p of s.points)
        out.push(
          `<circle cx="${x(p.offered).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${color}"/>`,
        );
    }
    const ly = top + 20 + i * 20;
    out.push(
      `<line x1="${width - right + 15}" y1="${ly - 4}" x2="${width - right + 40}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${width - right + 46}" y="${ly}">${s.label}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in a Markdown file. */
export function replaceSection(file: string, name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} ... ${end} markers`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${body.trim()}\n${text.slice(to)}`);
}

/** A Markdown table from a header and rows. */
export function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}
