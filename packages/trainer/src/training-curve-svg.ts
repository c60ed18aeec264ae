/** One logged loss point. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** One evaluation of a metric (after an epoch). */
export interface EvalPoint {
  step: number;
  epoch: number;
  value: number;
}

/** A metric's evaluations, drawn as one curve with a marker per evaluated epoch. */
export interface MetricSeries {
  name: string;
  points: readonly EvalPoint[];
}

/** Options of {@link trainingCurveSvg}. */
export interface TrainingCurveOptions {
  loss: readonly LossPoint[];
  /** Evaluation metrics, drawn against the right axis (one shared scale, e.g. F1 in percent). */
  metrics?: readonly MetricSeries[];
  /** Last step of the x axis (default: the largest step plotted). */
  totalSteps?: number;
  title?: string;
  width?: number;
  height?: number;
}

const LOSS_COLOR = '#1f77b4';
const METRIC_COLORS = ['#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Axis and label numbers: integers as integers (a step axis never reads "1.0e+3"), three
// significant digits otherwise, exponent form only for tiny values.
function fmt(x: number): string {
  if (x === 0) return '0';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) < 0.01 ? x.toExponential(1) : Number(x.toPrecision(3)).toString();
}

/**
 * Tick values covering [lo, hi] at a 1/2/5 x 10^k spacing; with `integer`, the spacing is at least
 * 1 so every tick is a whole number (step axes).
 */
export function niceTicks(lo: number, hi: number, count = 5, { integer = false }: { integer?: boolean } = {}): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let stepSize = [1, 2, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= count + 1) ?? 10 * mag;
  if (integer) stepSize = Math.max(1, Math.round(stepSize));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / stepSize) * stepSize; t <= hi + stepSize * 1e-9; t += stepSize) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * A self-contained SVG of the training loss over steps (left axis) and of each evaluation metric
 * (right axis): a line through its evaluated epochs, a marker on each and its last value written
 * next to it, so that a run evaluated only once still shows a labelled point per metric.
 */
export function trainingCurveSvg({ loss, metrics = [], totalSteps, title = 'Training curve', width = 800, height = 440 }: TrainingCurveOptions): string {
  const m = { left: 64, right: 64, top: 56, bottom: 48 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const finiteLoss = loss.filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.step));
  const series = metrics
    .map((s, i) => ({ name: s.name, color: METRIC_COLORS[i % METRIC_COLORS.length], points: s.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step)) }))
    .filter((s) => s.points.length > 0);
  const allEvals = series.flatMap((s) => s.points);
  const xMax = Math.max(1, Math.ceil(Math.max(totalSteps ?? 0, ...finiteLoss.map((p) => p.step), ...allEvals.map((p) => p.step))));
  const yTicks = valueTicks(Math.max(0, ...finiteLoss.map((p) => p.loss)));
  const yMax = yTicks[yTicks.length - 1];
  const eTicks = valueTicks(Math.max(0, ...allEvals.map((p) => p.value)));
  const eMax = eTicks[eTicks.length - 1];
  const x = (s: number) => m.left + (s / xMax) * w;
  const y = (v: number) => m.top + h - (v / yMax) * h;
  const ye = (v: number) => m.top + h - (v / eMax) * h;
  const n1 = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);

  // Legend: the loss line, then one entry per metric.
  const legend: string[] = [];
  let lx = m.left;
  const ly = 40;
  const entry = (label: string, color: string, marker: boolean) => {
    legend.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    if (marker) legend.push(`<circle cx="${lx + 9}" cy="${ly}" r="3.5" fill="${color}"/>`);
    legend.push(`<text x="${lx + 23}" y="${ly + 4}">${esc(label)}</text>`);
    lx += 23 + label.length * 6.5 + 18;
  };
  entry('loss', LOSS_COLOR, false);
  for (const s of series) entry(s.name, s.color, true);
  out.push(`<g class="legend">${legend.join('')}</g>`);

  out.push(`<g stroke="black" stroke-width="1"><line x1="${m.left}" y1="${m.top + h}" x2="${m.left + w}" y2="${m.top + h}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + h}"/>`);
  if (series.length) out.push(`<line x1="${m.left + w}" y1="${m.top}" x2="${m.left + w}" y2="${m.top + h}"/>`);
  out.push('</g>');
  for (const t of niceTicks(0, xMax, 5, { integer: true })) {
    out.push(`<line x1="${n1(x(t))}" y1="${m.top + h}" x2="${n1(x(t))}" y2="${m.top + h + 4}" stroke="black"/><text x="${n1(x(t))}" y="${m.top + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${m.left - 4}" y1="${n1(y(t))}" x2="${m.left}" y2="${n1(y(t))}" stroke="black"/><text x="${m.left - 6}" y="${n1(y(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
    out.push(`<line x1="${m.left}" y1="${n1(y(t))}" x2="${m.left + w}" y2="${n1(y(t))}" stroke="#eee"/>`);
  }
  out.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">step</text>`);
  out.push(`<text x="16" y="${m.top + h / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + h / 2})" fill="${LOSS_COLOR}">loss</text>`);
  if (finiteLoss.length) {
    const pts = finiteLoss.map((p) => `${n1(x(p.step))},${n1(y(p.loss))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${LOSS_COLOR}" stroke-width="1.5" points="${pts}"/>`);
  }
  if (series.length) {
    for (const t of eTicks) {
      out.push(`<line x1="${m.left + w}" y1="${n1(ye(t))}" x2="${m.left + w + 4}" y2="${n1(ye(t))}" stroke="black"/><text x="${m.left + w + 6}" y="${n1(ye(t) + 4)}">${fmt(t)}</text>`);
    }
    const axisName = series.length === 1 ? series[0].name : 'evaluation';
    out.push(`<text x="${width - 14}" y="${m.top + h / 2}" text-anchor="middle" transform="rotate(90 ${width - 14} ${m.top + h / 2})">${esc(axisName)}</text>`);
    const labels: Array<{ x: number; y: number; text: string; color: string }> = [];
    for (const s of series) {
      const pts = [...s.points].sort((a, b) => a.step - b.step);
      if (pts.length > 1) {
        out.push(`<polyline class="metric" fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.map((p) => `${n1(x(p.step))},${n1(ye(p.value))}`).join(' ')}"/>`);
      }
      for (const p of pts) {
        out.push(`<circle cx="${n1(x(p.step))}" cy="${n1(ye(p.value))}" r="${pts.length > 1 ? 4 : 5}" fill="${s.color}" stroke="white" stroke-width="1"><title>epoch ${p.epoch + 1}, step ${p.step}: ${esc(s.name)} = ${fmt(p.value)}</title></circle>`);
      }
      const last = pts[pts.length - 1];
      // A lone point also names its metric and epoch: without a line it would say nothing else.
      const text = pts.length > 1 ? fmt(last.value) : `${s.name} ${fmt(last.value)} (epoch ${last.epoch + 1})`;
      labels.push({ x: x(last.step), y: ye(last.value), text, color: s.color });
    }
    for (const l of spreadLabels(labels, 13, m.top + 8, m.top + h - 10)) {
      // Left of the point: the last evaluation usually sits on the right axis.
      out.push(`<text class="metric-label" x="${n1(l.x - 8)}" y="${n1(l.y + 4)}" text-anchor="end" fill="${l.color}">${esc(l.text)}</text>`);
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Ticks from 0 to a tick at or above `max`, so that the highest value is not drawn on the frame.
function valueTicks(max: number): number[] {
  const ticks = niceTicks(0, max > 0 ? max : 1);
  const last = ticks[ticks.length - 1];
  if (last < max) ticks.push(Number((last + (ticks.length > 1 ? ticks[1] - ticks[0] : max)).toPrecision(12)));
  return ticks;
}

// Moves labels vertically apart (at least `gap` pixels between labels at nearly the same x) and
// keeps them within [top, bottom], so that equal final scores do not print on top of each other.
function spreadLabels<T extends { x: number; y: number }>(labels: T[], gap: number, top: number, bottom: number): T[] {
  const placed = labels.map((l) => ({ ...l })).sort((a, b) => a.y - b.y);
  for (let i = 1; i < placed.length; i++) {
    const prev = placed[i - 1];
    if (Math.abs(placed[i].x - prev.x) < 120 && placed[i].y - prev.y < gap) placed[i].y = prev.y + gap;
  }
  // Back up from the bottom: only labels pushed below it, and those crowding them, move up.
  for (let i = placed.length - 1; i >= 0; i--) {
    const below = placed[i + 1];
    const limit = below && Math.abs(below.x - placed[i].x) < 120 ? Math.min(bottom, below.y - gap) : bottom;
    placed[i].y = Math.max(top, Math.min(placed[i].y, limit));
  }
  return placed;
}
