import { assertWellFormedXml } from './testing/xml-well-formed';
import { niceTicks, trainingCurveSvg } from './training-curve-svg';

describe('trainingCurveSvg', () => {
  it('draws axes, the loss line and one marker per evaluation, as well-formed SVG', () => {
    const loss = Array.from({ length: 20 }, (_, i) => ({ step: (i + 1) * 10, loss: 2 / (i + 1) }));
    const evals = [0, 1, 2].map((epoch) => ({ epoch, step: (epoch + 1) * 60, value: 40 + epoch * 10 }));
    const svg = trainingCurveSvg({ loss, evals, metricName: 'rel <micro> F1 & co', totalSteps: 200 });
    const elements = assertWellFormedXml(svg);
    expect(elements[0]).toBe('svg');
    expect(elements.filter((e) => e === 'polyline')).toHaveLength(1);
    expect(elements.filter((e) => e === 'circle')).toHaveLength(3);
    const points = /<polyline[^>]*points="([^"]+)"/.exec(svg)?.[1].split(' ') ?? [];
    expect(points).toHaveLength(20);
    // Loss falls, so the line's y (SVG y grows downwards) rises along x.
    const ys = points.map((p) => Number(p.split(',')[1]));
    expect(ys[19]).toBeGreaterThan(ys[0]);
    expect(svg).toContain('rel &lt;micro&gt; F1 &amp; co');
    expect(svg).toContain('epoch 3: rel &lt;micro&gt; F1 &amp; co = 60');
  });

  it('copes with no data and non-finite values', () => {
    assertWellFormedXml(trainingCurveSvg({ loss: [] }));
    const svg = trainingCurveSvg({ loss: [{ step: 1, loss: NaN }, { step: 2, loss: 1 }] });
    assertWellFormedXml(svg);
    expect(svg).not.toContain('NaN');
  });

  it('niceTicks uses 1/2/5 steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 11520)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
  });

  it('the checker rejects broken XML', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg a=1/>')).toThrow();
    expect(() => assertWellFormedXml('<svg>a & b</svg>')).toThrow();
  });
});
