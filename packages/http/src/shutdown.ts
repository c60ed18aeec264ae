import type { FastifyInstance } from 'fastify';

/** The part of `process` graceful shutdown uses; injectable so tests send signals to a fake emitter. */
export interface SignalSource {
  /** Calls `listener` on the next `signal`. */
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  /** Stops calling `listener` on `signal` (after shutdown the process's own handling returns). */
  removeListener(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** Options of {@link installGracefulShutdown}. */
export interface GracefulShutdownOptions {
  app: FastifyInstance;
  signals?: SignalSource;
  /** Called when closing finished (the CLI exits with it); receives the close error if any. */
  onClosed?: (err?: unknown) => void;
  /** Force-close connections and give up after this long (ms). */
  timeoutMs?: number;
}

/**
 * On SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (fastify answers
 * new ones on kept-alive sockets with 503), drain the batcher and dispose the runtime via the
 * app's onClose hooks. Returns a function that removes the handlers.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): () => void {
  const signals = options.signals ?? process;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let closing = false;
  const handler = (signal: 'SIGTERM' | 'SIGINT') => () => {
    if (closing) return;
    closing = true;
    options.app.log.info(`${signal}: closing (finishing in-flight requests)`);
    const timer = setTimeout(() => {
      options.app.log.error(`shutdown took over ${timeoutMs} ms; closing connections`);
      options.app.server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
    options.app.close().then(
      () => {
        clearTimeout(timer);
        options.onClosed?.();
      },
      (err: unknown) => {
        clearTimeout(timer);
        options.onClosed?.(err);
      },
    );
  };
  const onTerm = handler('SIGTERM');
  const onInt = handler('SIGINT');
  signals.once('SIGTERM', onTerm);
  signals.once('SIGINT', onInt);
  return () => {
    signals.removeListener('SIGTERM', onTerm);
    signals.removeListener('SIGINT', onInt);
  };
}
