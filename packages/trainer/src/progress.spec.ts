import { createProgress, formatDuration, type ProgressUpdate } from './progress';
import { captureStream } from './testing/capture-stream';

const u = (step: number, epoch: number, loss: number): ProgressUpdate => ({ step, epoch, loss, lr: 5e-5, docsPerSecond: 3.5 });

describe('createProgress on a terminal', () => {
  it('draws loss, lr, speed and ETA', () => {
    const t = captureStream(true);
    const p = createProgress({ stream: t.stream });
    p.start(100, 0, 2);
    p.update(u(10, 0, 1.23456));
    p.stop();
    expect(t.text()).toMatch(/epoch 1\/2 .* 10\/100 \| loss 1\.2346 \| lr 5\.00e-5 \| 3\.50 docs\/s \| ETA/);
  });

  it('finishes the bar at an epoch end, so that what is printed next starts on its own line, and draws a new bar for the next epoch', () => {
    const t = captureStream(true);
    const p = createProgress({ stream: t.stream });
    p.start(4, 0, 2);
    p.update(u(1, 0, 2));
    p.update(u(2, 0, 1.5));
    p.endEpoch(u(2, 0, 1.5));
    t.stream.write('model saved to runs/x/model; evaluating on test.json\n');
    p.update(u(3, 1, 1));
    p.stop();
    // eslint-disable-next-line no-control-regex
    const lines = t.text().replace(/\x1B\[\?25[hl]/g, '').split('\n');
    const saved = lines.findIndex((l) => l.includes('model saved'));
    expect(lines[saved]).toBe('model saved to runs/x/model; evaluating on test.json');
    expect(lines[saved - 1]).toMatch(/epoch 1\/2 .* 2\/4 \| loss 1\.5000/);
    expect(lines.slice(saved + 1).join('\n')).toMatch(/epoch 2\/2 .* 3\/4 \| loss 1\.0000/);
  });
});

describe('createProgress as plain lines', () => {
  it('without a terminal: a line every N steps and one per epoch, with mean loss, lr, docs/s and ETA', () => {
    const t = captureStream(false);
    let now = 0;
    const p = createProgress({ stream: t.stream, every: 2, clock: () => now });
    p.start(8, 0, 2);
    for (const [step, loss] of [[1, 4], [2, 2], [3, 1], [4, 1]]) {
      now += 1000;
      p.update(u(step, 0, loss));
    }
    p.endEpoch(u(4, 0, 1));
    now += 60_000; // an evaluation: not counted in the ETA
    now += 1000;
    p.update(u(5, 1, 0.5));
    p.stop();
    expect(t.text().split('\n')).toEqual([
      'step 2/8 (epoch 1/2) | loss 3.0000 | lr 5.00e-5 | 3.50 docs/s | ETA 6s',
      'step 4/8 (epoch 1/2) | loss 1.0000 | lr 5.00e-5 | 3.50 docs/s | ETA 4s',
      'epoch 1/2 done at step 4/8 | epoch loss 2.0000 | lr 5.00e-5 | 3.50 docs/s | ETA 4s',
      '',
    ]);
  });

  it('is what "lines" (--no-progress) gives on a terminal too; the ETA counts from the resume point', () => {
    const t = captureStream(true);
    let now = 0;
    const p = createProgress({ mode: 'lines', stream: t.stream, every: 100, clock: () => now });
    p.start(1000, 500, 10);
    now += 50_000;
    for (let step = 501; step <= 600; step++) p.update(u(step, 5, 1));
    expect(t.text()).toBe('step 600/1000 (epoch 6/10) | loss 1.0000 | lr 5.00e-5 | 3.50 docs/s | ETA 3m 20s\n');
  });

  it('"off" prints nothing; a bad interval is refused', () => {
    const t = captureStream(false);
    const p = createProgress({ mode: 'off', stream: t.stream, every: 1 });
    p.start(10, 0, 1);
    p.update(u(1, 0, 1));
    p.endEpoch(u(1, 0, 1));
    p.stop();
    expect(t.text()).toBe('');
    expect(() => createProgress({ stream: t.stream, every: 0 })).toThrow(/every must be a positive integer, got 0/);
  });

  it('formats durations for humans', () => {
    expect([formatDuration(0), formatDuration(59.4), formatDuration(187), formatDuration(7500), formatDuration(NaN)]).toEqual(['0s', '59s', '3m 07s', '2h 05m', '-']);
  });
});
