/**
 * A small SVG chart renderer for `report.html`: line charts of values over
 * time and a range chart (min, quartiles, median, max per category). Output
 * is a self-contained `<svg>` string (no scripts, no external resources);
 * every text is XML-escaped.
 * @module
 */

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Series colours (colour-blind friendly, Okabe–Ito). */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
] as const;

/** One line of a line chart: its name and points (x, y); y null leaves a gap. */
export interface LineSeries {
  name: string;
  points: { x: number; y: number | null }[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  /** Axis label under the x axis, e.g. `seconds since verify started`. */
  xLabel: string;
  /** Labels of the y ticks (values in nanoseconds: {@link nanosecondTickLabels}). */
  yTickLabels: (ticks: readonly number[]) => string[];
  width?: number;
  height?: number;
  /** Include 0 in the y range (offsets). */
  includeZero?: boolean;
}

/** Options of {@link rangeChart}. */
export interface RangeChartOptions {
  title: string;
  /** Formats a value (the medians). */
  formatValue: (v: number) => string;
  /** Labels of the axis ticks. */
  tickLabels: (ticks: readonly number[]) => string[];
  width?: number;
}

/** One row of a range chart (values in their unit). */
export interface RangeRow {
  name: string;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  count: number;
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  if (ticks[ticks.length - 1] < hi) {
    ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  }
  return ticks;
}

/**
 * Axis labels for ticks given in nanoseconds: one unit for the whole axis
 * (the largest of ns, µs, ms, s below the largest tick) and as many decimals
 * as the step between ticks needs, so neighbouring labels never read alike.
 * `signed` puts `+` before positive values (offsets).
 */
export function nanosecondTickLabels(ticks: readonly number[], signed = false): string[] {
  const largest = Math.max(0, ...ticks.map(Math.abs));
  const [factor, unit] = largest >= 1e9
    ? [1e9, "s"]
    : largest >= 1e6
    ? [1e6, "ms"]
    : largest >= 1e3
    ? [1e3, "µs"]
    : [1, "ns"];
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) / factor : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return ticks.map((t) => {
    const text = (t / factor).toFixed(decimals);
    return `${signed && t > 0 ? "+" : ""}${text} ${unit}`;
  });
}

const num = (v: number) => (Math.round(v * 10) / 10).toString();

/** SVG path data through points, starting a new subpath after each gap (y null). */
export function pathData(points: readonly { x: number; y: number | null }[]): string {
  const parts: string[] = [];
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? "L" : "M"}${num(p.x)} ${num(p.y)}`);
    pen = true;
  }
  return parts.join(" ");
}

function frame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" ` +
    `height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="8" y="16" class="chart-title">${escapeXml(title)}</text>`,
    ...body,
    "</svg>",
  ].join("\n");
}

/**
 * A line chart of one or more series over a shared x axis, with axes, grid,
 * tick labels and a legend. Series without any point are listed in the legend only.
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions): string {
  const width = options.width ?? 535;
  const legendRows = Math.ceil(series.length / 3);
  const height = (options.height ?? 260) + legendRows * 16;
  const left = 72, right = 14, top = 28, bottom = 44 + legendRows * 16;
  const plotW = width - left - right, plotH = height - top - bottom;
  const xs = series.flatMap((s) => s.points.filter((p) => p.y !== null).map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  if (ys.length === 0) {
    return frame(width, 80, options.title, [
      `<text x="8" y="48" class="chart-empty">no samples</text>`,
    ]);
  }
  let yLo = Math.min(...ys), yHi = Math.max(...ys);
  if (options.includeZero) {
    yLo = Math.min(0, yLo);
    yHi = Math.max(0, yHi);
  }
  const yTicks = niceTicks(yLo, yHi, 5);
  const xTicks = niceTicks(Math.min(0, ...xs), Math.max(...xs), 6);
  const y0 = yTicks[0], y1 = yTicks[yTicks.length - 1];
  const x0 = xTicks[0], x1 = xTicks[xTicks.length - 1];
  const sx = (x: number) => left + (x1 === x0 ? 0 : (x - x0) / (x1 - x0) * plotW);
  const sy = (y: number) => top + plotH - (y1 === y0 ? 0 : (y - y0) / (y1 - y0) * plotH);
  const body: string[] = [];
  const yLabels = options.yTickLabels(yTicks);
  for (const [k, t] of yTicks.entries()) {
    body.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${num(sy(t))}" y2="${
        num(sy(t))
      }" class="grid"/>`,
      `<text x="${left - 6}" y="${num(sy(t) + 4)}" class="tick" text-anchor="end">${
        escapeXml(yLabels[k])
      }</text>`,
    );
  }
  for (const t of xTicks) {
    body.push(
      `<line x1="${num(sx(t))}" x2="${num(sx(t))}" y1="${top + plotH}" y2="${
        top + plotH + 4
      }" class="axis"/>`,
      `<text x="${num(sx(t))}" y="${top + plotH + 16}" class="tick" text-anchor="middle">${
        escapeXml(String(t))
      }</text>`,
    );
  }
  body.push(
    `<path d="M${left} ${top}V${top + plotH}H${left + plotW}" class="axis" fill="none"/>`,
    `<text x="${left + plotW / 2}" y="${top + plotH + 32}" class="axis-label" ` +
      `text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const pts = s.points.map((p) => ({ x: sx(p.x), y: p.y === null ? null : sy(p.y) }));
    const d = pathData(pts);
    if (d !== "") {
      body.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.6" class="series">` +
          `<title>${escapeXml(s.name)}</title></path>`,
      );
      const lone = pts.filter((p, k) =>
        p.y !== null && (pts[k - 1]?.y ?? null) === null && (pts[k + 1]?.y ?? null) === null
      );
      for (const p of lone) {
        body.push(`<circle cx="${num(p.x)}" cy="${num(p.y!)}" r="2.5" fill="${colour}"/>`);
      }
    }
    const lx = left + (i % 3) * Math.floor(plotW / 3);
    const ly = top + plotH + 48 + Math.floor(i / 3) * 16;
    body.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="4" fill="${colour}"/>`,
      `<text x="${lx + 16}" y="${ly - 3}" class="legend">${escapeXml(s.name)}</text>`,
    );
  });
  return frame(width, height, options.title, body);
}

/**
 * A range chart: one row per category, a whisker from min to max, a box from
 * the first to the third quartile and a mark at the median, on a shared axis
 * spanning the values (not from 0: the differences between types matter).
 */
export function rangeChart(rows: readonly RangeRow[], options: RangeChartOptions): string {
  const width = options.width ?? 1000;
  const rowH = 30, top = 30, left = 170, right = 150, bottom = 30;
  const height = top + rows.length * rowH + bottom;
  if (rows.length === 0) {
    return frame(width, 80, options.title, [
      `<text x="8" y="48" class="chart-empty">no samples</text>`,
    ]);
  }
  const ticks = niceTicks(
    Math.min(...rows.map((r) => r.min)),
    Math.max(...rows.map((r) => r.max)),
    6,
  );
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const plotW = width - left - right;
  const sx = (v: number) => left + (hi === lo ? 0.5 : (v - lo) / (hi - lo)) * plotW;
  const labels = options.tickLabels(ticks);
  const body: string[] = [];
  for (const [k, t] of ticks.entries()) {
    body.push(
      `<line x1="${num(sx(t))}" x2="${num(sx(t))}" y1="${top - 4}" y2="${
        top + rows.length * rowH
      }" class="grid"/>`,
      `<text x="${num(sx(t))}" y="${top + rows.length * rowH + 16}" class="tick" ` +
        `text-anchor="middle">${escapeXml(labels[k])}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    const colour = PALETTE[i % PALETTE.length];
    const whisker = `M${num(sx(r.min))} ${cy}H${num(sx(r.max))}` +
      `M${num(sx(r.min))} ${cy - 6}V${cy + 6}M${num(sx(r.max))} ${cy - 6}V${cy + 6}`;
    const boxW = Math.max(2, sx(r.q3) - sx(r.q1));
    body.push(
      `<text x="${left - 8}" y="${cy + 4}" class="label" text-anchor="end">${
        escapeXml(r.name)
      }</text>`,
      `<path d="${whisker}" stroke="#555" stroke-width="1.2" fill="none" class="whisker"/>`,
      `<rect x="${num(sx(r.q1))}" y="${cy - 8}" width="${num(boxW)}" height="16" ` +
        `fill="${colour}" fill-opacity="0.35" stroke="${colour}"/>`,
      `<path d="M${num(sx(r.median))} ${cy - 10}V${cy + 10}" stroke="${colour}" ` +
        `stroke-width="3" class="median"><title>${
          escapeXml(`${r.name}: median ${options.formatValue(r.median)}`)
        }</title></path>`,
      `<text x="${width - right + 8}" y="${cy + 4}" class="tick">${
        escapeXml(`median ${options.formatValue(r.median)} (n=${r.count})`)
      }</text>`,
    );
  });
  return frame(width, height, options.title, body);
}
