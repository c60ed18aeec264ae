import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import { basicAuth, errorAnswers, HttpError, listenUntilSignal, type SignalSource } from './index';

describe('errorAnswers', () => {
  it('answers errors by code with the challenge on 401 and the extra headers, unknown routes with 404', async () => {
    const logged: string[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void logged.push(JSON.parse(line).msg) } } });
    await app.register(errorAnswers, { authChallenge: 'Basic realm="x"', headers: (b) => (b.code === 'QUEUE_FULL' ? { 'retry-after': '7' } : undefined), logMessage: 'oops' });
    await app.register(async (routes) => {
      routes.get('/401', async () => Promise.reject(new HttpError(401, 'UNAUTHORIZED', 'who are you')));
      routes.get('/429', async () => Promise.reject(new HttpError(429, 'QUEUE_FULL', 'later')));
      routes.get('/500', async () => Promise.reject(new Error('bug')));
    });
    try {
      const unauthorized = await app.inject('/401');
      expect([unauthorized.statusCode, unauthorized.headers['www-authenticate'], unauthorized.headers['retry-after']]).toEqual([401, 'Basic realm="x"', undefined]);
      expect(unauthorized.json()).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED', message: 'who are you' });
      const full = await app.inject('/429');
      expect([full.statusCode, full.headers['retry-after'], full.headers['www-authenticate']]).toEqual([429, '7', undefined]);
      const failed = await app.inject('/500');
      expect(failed.json()).toMatchObject({ statusCode: 500, code: 'INTERNAL', message: 'internal error: bug' });
      expect(logged).toEqual(['oops']);
      expect((await app.inject('/nowhere')).json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    } finally {
      await app.close();
    }
  });
});

describe('basicAuth', () => {
  it('lets through only the right user and password, on every route, and says where to set them', async () => {
    const app = Fastify();
    await app.register(errorAnswers, { authChallenge: 'Basic realm="x"' });
    await app.register(basicAuth, { credentials: 'u:p', hint: 'see --basic-auth' });
    await app.register(async (routes) => {
      routes.get('/', async () => ({ ok: true }));
    });
    try {
      const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
      expect((await app.inject({ url: '/', headers: basic('u:p') })).json()).toEqual({ ok: true });
      const refused = await app.inject({ url: '/', headers: basic('u:q') });
      expect([refused.statusCode, refused.headers['www-authenticate']]).toEqual([401, 'Basic realm="x"']);
      expect(refused.json().message).toBe('missing or wrong credentials: send HTTP basic auth (see --basic-auth)');
      expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('listenUntilSignal', () => {
  it('listens, and on SIGTERM closes the app and exits 0; a failed close is reported and exits 1', async () => {
    for (const failing of [false, true]) {
      const app = Fastify();
      if (failing) app.addHook('onClose', async () => Promise.reject(new Error('stuck')));
      const signals = new EventEmitter();
      const reported: unknown[] = [];
      const exited = new Promise<number>((resolve) => {
        void listenUntilSignal({ app, host: '127.0.0.1', port: 0, signals: signals as unknown as SignalSource, exit: resolve, onCloseError: (e) => reported.push((e as Error).message) }).then((url) => {
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
          signals.emit('SIGTERM');
        });
      });
      expect(await exited).toBe(failing ? 1 : 0);
      expect(reported).toEqual(failing ? ['stuck'] : []);
    }
  });
});
