import { buildLabelStudioApp } from './app';
import { LabelStudioBackend } from './backend';

// The app owns the backend: closing one closes the other (its executor), whichever plugin holds the hook.
describe('spert-label-studio app lifetime', () => {
  it('closes the backend and its executor when the app closes', async () => {
    let executorClosed = 0;
    const executor = { description: 'nothing', run: () => Promise.reject(new Error('no training here')), close: async () => void (executorClosed += 1) };
    const backend = new LabelStudioBackend({ encoder: 'an-encoder', workDir: '/nonexistent', executor });
    const app = await buildLabelStudioApp({ backend });
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'UP', model_version: 'spert-untrained' });
    expect(executorClosed).toBe(0);
    await app.close();
    expect(executorClosed).toBe(1);
  });
});
