/** One logged loss point. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** One evaluation marker (value of the plotted metric after an epoch). */
export interface EvalPoint {
  step: number;
  epoch: number;
  value: number;
}

/** Options of {@link trainingCurveSvg}. */
export interface TrainingCurveOptions {
  loss: readonly LossPoint[];
  evals?: readonly EvalPoint[];
  /** Label of the evaluation metric (right axis). */
  metricName?: string;
  /** Last step of the x axis (default: the largest step plotted). */
  totalSteps?: number;
  title?: string;
  width?: number;
  height?: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1000 || a < 0.01 ? x.toExponential(1) : Number(x.toPrecision(3)).toString();
}

/** Tick values covering [lo, hi] at a 1/2/5 x 10^k spacing. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= count + 1) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / stepSize) * stepSize; t <= hi + stepSize * 1e-9; t += stepSize) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A self-contained SVG of the training loss over steps with per-epoch evaluation markers. */
export function trainingCurveSvg({ loss, evals = [], metricName = 'eval', totalSteps, title = 'Training curve', width = 800, height = 420 }: TrainingCurveOptions): string {
  const m = { left: 64, right: 64, top: 36, bottom: 48 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const finiteLoss = loss.filter((p) => Number.isFinite(p.loss));
  const finiteEval = evals.filter((p) => Number.isFinite(p.value));
  const xMax = Math.max(1, totalSteps ?? 0, ...finiteLoss.map((p) => p.step), ...finiteEval.map((p) => p.step));
  const lossMax = Math.max(1e-12, ...finiteLoss.map((p) => p.loss));
  const yTicks = niceTicks(0, lossMax);
  const yMax = Math.max(lossMax, yTicks[yTicks.length - 1]);
  const evalMax = Math.max(1e-12, ...finiteEval.map((p) => p.value));
  const eTicks = niceTicks(0, evalMax);
  const eMax = Math.max(evalMax, eTicks[eTicks.length - 1]);
  const x = (s: number) => m.left + (s / xMax) * w;
  const y = (v: number) => m.top + h - (v / yMax) * h;
  const ye = (v: number) => m.top + h - (v / eMax) * h;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  out.push(`<g stroke="black" stroke-width="1"><line x1="${m.left}" y1="${m.top + h}" x2="${m.left + w}" y2="${m.top + h}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + h}"/>`);
  if (finiteEval.length) out.push(`<line x1="${m.left + w}" y1="${m.top}" x2="${m.left + w}" y2="${m.top + h}"/>`);
  out.push('</g>');
  for (const t of niceTicks(0, xMax)) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${m.top + h}" x2="${x(t).toFixed(1)}" y2="${m.top + h + 4}" stroke="black"/><text x="${x(t).toFixed(1)}" y="${m.top + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${m.left - 4}" y1="${y(t).toFixed(1)}" x2="${m.left}" y2="${y(t).toFixed(1)}" stroke="black"/><text x="${m.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
    out.push(`<line x1="${m.left}" y1="${y(t).toFixed(1)}" x2="${m.left + w}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`);
  }
  out.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">step</text>`);
  out.push(`<text x="16" y="${m.top + h / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + h / 2})" fill="#1f77b4">loss</text>`);
  if (finiteLoss.length) {
    const pts = finiteLoss.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${pts}"/>`);
  }
  if (finiteEval.length) {
    for (const t of eTicks) {
      out.push(`<line x1="${m.left + w}" y1="${ye(t).toFixed(1)}" x2="${m.left + w + 4}" y2="${ye(t).toFixed(1)}" stroke="black"/><text x="${m.left + w + 6}" y="${(ye(t) + 4).toFixed(1)}">${fmt(t)}</text>`);
    }
    out.push(`<text x="${width - 14}" y="${m.top + h / 2}" text-anchor="middle" transform="rotate(90 ${width - 14} ${m.top + h / 2})" fill="#d62728">${esc(metricName)}</text>`);
    for (const p of finiteEval) {
      out.push(`<circle cx="${x(p.step).toFixed(1)}" cy="${ye(p.value).toFixed(1)}" r="4" fill="#d62728"><title>epoch ${p.epoch + 1}: ${esc(metricName)} = ${fmt(p.value)}</title></circle>`);
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
