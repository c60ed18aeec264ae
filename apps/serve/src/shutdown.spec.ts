import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { RulePredictor } from '../test/rule-predictor';
import { buildApp } from './app';
import { installGracefulShutdown, type SignalSource } from '@spert/http';

describe('installGracefulShutdown', () => {
  it('closes the app once on SIGINT (a second signal is ignored) and disposes the predictor', async () => {
    const predictor = new RulePredictor();
    const { app } = await buildApp({ predictor });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const signals = new EventEmitter();
    const closed = new Promise<unknown>((resolve) => installGracefulShutdown({ app, signals: signals as unknown as SignalSource, onClosed: resolve }));
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(await closed).toBeUndefined();
    expect(predictor.disposed).toBe(1);
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('removes its handlers when asked', async () => {
    const { app } = await buildApp({ predictor: new RulePredictor() });
    const signals = new EventEmitter();
    const remove = installGracefulShutdown({ app, signals: signals as unknown as SignalSource });
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    remove();
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    await app.close();
  });
});
