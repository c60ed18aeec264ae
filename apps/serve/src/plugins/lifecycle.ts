import fp from 'fastify-plugin';
import type { Socket } from 'node:net';

/** Where the service is in its life: warming up, ready, closing; read by the probes, the gauges and the shutdown. */
export interface Lifecycle {
  /** True once warm-up finished (at once without warm-up). */
  ready: boolean;
  /** True from the moment closing starts. */
  closing: boolean;
  /** Why warm-up failed, if it did (`/health/ready` answers `failed`). */
  warmupError: unknown;
  /** Settles (never rejects) when the warm-up calls are done: the runtime is never freed under them. */
  warming: Promise<unknown>;
  /** Seconds since the app was built. */
  uptimeSeconds(): number;
  /** The clock (ms). */
  now(): number;
  /** When the app was built (ms, by `now`). */
  started: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's state (plugins/lifecycle.ts). */
    lifecycle: Lifecycle;
  }
}

/**
 * Decorates the app with its {@link Lifecycle} and keeps shutdown from waiting on sockets that
 * carry no request: node's server.close() reaps idle keep-alive sockets but counts a fresh one (a
 * browser's preconnect) as busy until headersTimeout. So requests are counted per socket, the
 * ones with none are destroyed when closing starts, and answers finished while closing tell the
 * client to drop the socket (so busy ones end with their request).
 */
export const lifecycle = fp<{ now?: () => number }>(
  async (app, options) => {
    const now = options.now ?? (() => Date.now());
    const started = now();
    const state: Lifecycle = { ready: false, closing: false, warmupError: undefined, warming: Promise.resolve(), uptimeSeconds: () => (now() - started) / 1000, now, started };
    app.decorate('lifecycle', state);

    const requestsOn = new Map<Socket, number>();
    app.server.on('connection', (socket: Socket) => {
      requestsOn.set(socket, 0);
      socket.once('close', () => requestsOn.delete(socket));
    });
    // The idle timeout (fastify's connectionTimeout) closes silent sockets, but not one whose client
    // waits for a slow answer: that one is bounded by the request timeout (503).
    app.server.on('timeout', (socket: Socket) => {
      if ((requestsOn.get(socket) ?? 0) === 0) socket.destroy();
    });
    app.addHook('onRequest', async (request, reply) => {
      const socket = request.raw.socket;
      requestsOn.set(socket, (requestsOn.get(socket) ?? 0) + 1);
      reply.raw.once('close', () => {
        const left = (requestsOn.get(socket) ?? 1) - 1;
        requestsOn.set(socket, left);
        if (state.closing && left === 0) socket.destroySoon();
      });
    });
    app.addHook('preClose', async () => {
      state.closing = true;
      for (const [socket, n] of requestsOn) if (n === 0) socket.destroy();
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (state.closing) void reply.header('connection', 'close');
      return payload;
    });
  },
  { name: 'spert-serve/lifecycle', fastify: '5.x' },
);
