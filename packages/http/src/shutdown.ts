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

/** Options of {@link listenUntilSignal}. */
export interface ListenUntilSignalOptions {
  app: FastifyInstance;
  host: string;
  port: number;
  signals?: SignalSource;
  /** Called with the exit code once the app has closed after a signal: 0, or 1 when closing failed (default `process.exit`). */
  exit?: (code: number) => void;
  /** Reports a failed close before the exit with 1 (default: an error line of the app's logger). */
  onCloseError?: (err: unknown) => void;
}

/**
 * How the HTTP apps' CLIs run a server: {@link installGracefulShutdown} with an exit code for
 * the process, then listen on `host`:`port`; resolves with the listening URL.
 */
export async function listenUntilSignal(options: ListenUntilSignalOptions): Promise<string> {
  const { app } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onCloseError = options.onCloseError ?? ((err: unknown) => app.log.error({ err }, 'shutdown failed'));
  installGracefulShutdown({
    app,
    signals: options.signals,
    onClosed: (err) => {
      if (err) onCloseError(err);
      exit(err ? 1 : 0);
    },
  });
  return app.listen({ host: options.host, port: options.port });
}
