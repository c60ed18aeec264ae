import { Writable } from 'node:stream';
import { createProgress } from './progress';

// A writable that claims to be a terminal, to capture what the bar draws.
function fakeTty(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, text: () => out };
}

describe('createProgress', () => {
  it('draws loss, lr, speed and ETA on a terminal', () => {
    const t = fakeTty();
    const p = createProgress({ stream: t.stream });
    p.start(100, 0, 2);
    p.update({ step: 10, epoch: 0, loss: 1.23456, lr: 5e-5, docsPerSecond: 3.5 });
    p.stop();
    expect(t.text()).toMatch(/epoch 1\/2 .* 10\/100 \| loss 1\.2346 \| lr 5\.00e-5 \| 3\.50 docs\/s \| ETA/);
  });

  it('stays silent when asked or when the stream is not a terminal', () => {
    const t = fakeTty();
    const off = createProgress({ stream: t.stream, enabled: false });
    off.start(10, 0, 1);
    off.update({ step: 1, epoch: 0, loss: 1, lr: 1, docsPerSecond: 1 });
    off.stop();
    const pipe = fakeTty();
    Object.assign(pipe.stream, { isTTY: false });
    const auto = createProgress({ stream: pipe.stream });
    auto.start(10, 0, 1);
    auto.stop();
    expect(t.text() + pipe.text()).toBe('');
  });
});
