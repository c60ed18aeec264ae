import { assertWellFormedXml } from './testing/xml-well-formed';
import { niceTicks, trainingCurveSvg, type MetricSeries } from './training-curve-svg';

// Texts of the x-axis tick labels (drawn just under the plot area).
function xTickLabels(svg: string): string[] {
  const axisY = /<line x1="\d+" y1="(\d+(?:\.\d+)?)" x2="[\d.]+" y2="\1"\/>/.exec(svg)?.[1];
  return [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">([^<]*)<\/text>/g)].filter((m) => Number(m[1]) === Number(axisY) + 16).map((m) => m[2]);
}
const markers = (svg: string) => [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"[^>]*><title>([^<]*)<\/title><\/circle>/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]), r: Number(m[3]), title: m[4] }));
const labels = (svg: string) => [...svg.matchAll(/<text class="metric-label" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
const loss = Array.from({ length: 20 }, (_, i) => ({ step: (i + 1) * 69, loss: 2 / (i + 1) }));

describe('trainingCurveSvg', () => {
  it('draws axes, the loss line, and a curve with a marker per evaluated epoch for each metric, as well-formed SVG', () => {
    const metrics: MetricSeries[] = [
      { name: 'ner_f1_micro', points: [0, 1, 2].map((epoch) => ({ epoch, step: (epoch + 1) * 461, value: 40 + epoch * 5 })) },
      { name: 'rel_f1_micro', points: [0, 1, 2].map((epoch) => ({ epoch, step: (epoch + 1) * 461, value: 10 + epoch * 8 })) },
    ];
    const svg = trainingCurveSvg({ loss, metrics, totalSteps: 1383 });
    const elements = assertWellFormedXml(svg);
    expect(elements[0]).toBe('svg');
    const lossLine = /<polyline fill="none" stroke="#1f77b4"[^>]*points="([^"]+)"/.exec(svg)?.[1].split(' ') ?? [];
    expect(lossLine).toHaveLength(20);
    // Loss falls, so the line's y (SVG y grows downwards) rises along x.
    expect(Number(lossLine[19].split(',')[1])).toBeGreaterThan(Number(lossLine[0].split(',')[1]));
    expect(svg.match(/<polyline class="metric"/g)).toHaveLength(2);
    const ms = markers(svg);
    expect(ms.map((m) => m.title)).toEqual([
      'epoch 1, step 461: ner_f1_micro = 40', 'epoch 2, step 922: ner_f1_micro = 45', 'epoch 3, step 1383: ner_f1_micro = 50',
      'epoch 1, step 461: rel_f1_micro = 10', 'epoch 2, step 922: rel_f1_micro = 18', 'epoch 3, step 1383: rel_f1_micro = 26',
    ]);
    // Higher scores are higher up.
    expect(ms[2].cy).toBeLessThan(ms[5].cy);
    expect(labels(svg).map((l) => l.text).sort()).toEqual(['26', '50']);
    const legend = /<g class="legend">(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect([...legend.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['loss', 'ner_f1_micro', 'rel_f1_micro']);
  });

  it('x ticks are whole steps: never "1.0e+3", no fractions on short runs', () => {
    const long = xTickLabels(trainingCurveSvg({ loss, totalSteps: 1383 }));
    expect(long).toEqual(['0', '500', '1000']);
    const big = xTickLabels(trainingCurveSvg({ loss: [{ step: 9220, loss: 1 }], totalSteps: 9220 }));
    expect(big).toEqual(['0', '2000', '4000', '6000', '8000']);
    const short = xTickLabels(trainingCurveSvg({ loss: [{ step: 1, loss: 1 }, { step: 3, loss: 0.5 }], totalSteps: 3 }));
    expect(short).toEqual(['0', '1', '2', '3']);
    for (const t of [...long, ...big, ...short]) expect(t).toMatch(/^\d+$/);
  });

  it('only the final evaluation: each metric gets a large marker and a label with its name, value and epoch, apart even when equal', () => {
    const final = (name: string, value: number): MetricSeries => ({ name, points: [{ epoch: 2, step: 1383, value }] });
    const svg = trainingCurveSvg({ loss, metrics: [final('ner_f1_micro', 49.4), final('rel_f1_micro', 20.15), final('rel_nec_f1_micro', 20.15)], totalSteps: 1383 });
    assertWellFormedXml(svg);
    expect(svg).not.toContain('<polyline class="metric"');
    const ms = markers(svg);
    expect(ms).toHaveLength(3);
    for (const m of ms) expect(m.r).toBeGreaterThanOrEqual(5);
    const ls = labels(svg);
    expect(ls.map((l) => l.text).sort()).toEqual(['ner_f1_micro 49.4 (epoch 3)', 'rel_f1_micro 20.1 (epoch 3)', 'rel_nec_f1_micro 20.1 (epoch 3)']);
    const ys = ls.map((l) => l.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(13);
    // Labels sit left of their marker, inside the plot (the marker is on the right axis).
    for (const l of ls) expect(l.x).toBeLessThan(ms[0].cx);
  });

  it('labels of zero scores stay above the x axis and its tick labels; a label with room stays beside its marker', () => {
    const final = (name: string, value: number): MetricSeries => ({ name, points: [{ epoch: 1, step: 400, value }] });
    const svg = trainingCurveSvg({ loss, metrics: [final('ner_f1_micro', 5.13), final('rel_f1_micro', 0), final('rel_nec_f1_micro', 0)], totalSteps: 400 });
    const axisY = Number(/<line x1="\d+" y1="([\d.]+)" x2="[\d.]+" y2="\1"\/>/.exec(svg)?.[1]);
    const ls = labels(svg);
    for (const l of ls) expect(l.y).toBeLessThan(axisY);
    const ner = ls.find((l) => l.text.startsWith('ner_f1_micro')) as { y: number };
    const nerMarker = markers(svg)[0];
    expect(ner.y).toBeCloseTo(nerMarker.cy + 4, 0);
  });

  it('escapes names and copes with no data and non-finite values', () => {
    const svg = trainingCurveSvg({ loss, metrics: [{ name: 'rel <micro> F1 & co', points: [{ epoch: 0, step: 10, value: 5 }] }] });
    assertWellFormedXml(svg);
    expect(svg).toContain('rel &lt;micro&gt; F1 &amp; co 5 (epoch 1)');
    assertWellFormedXml(trainingCurveSvg({ loss: [] }));
    const odd = trainingCurveSvg({ loss: [{ step: 1, loss: NaN }, { step: 2, loss: 1 }], metrics: [{ name: 'f1', points: [{ epoch: 0, step: 2, value: NaN }] }, { name: 'zero', points: [{ epoch: 0, step: 2, value: 0 }] }] });
    assertWellFormedXml(odd);
    expect(odd).not.toContain('NaN');
    expect(markers(odd).map((m) => m.title)).toEqual(['epoch 1, step 2: zero = 0']);
  });

  it('niceTicks uses 1/2/5 steps, whole ones with integer', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 11520)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(0, 3, 5, { integer: true })).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 1, 5, { integer: true })).toEqual([0, 1]);
  });

  it('the checker rejects broken XML', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg a=1/>')).toThrow();
    expect(() => assertWellFormedXml('<svg>a & b</svg>')).toThrow();
  });
});
