import type { Server } from 'node:http';
import { LogController, type FastifyHttpOptions } from 'fastify';
import {
  DEFAULT_BATCH,
  DEFAULT_CONNECTION_LIMITS,
  DEFAULT_LIMITS,
  DEFAULT_OPERATIONS,
  type BatchOptions,
  type ConnectionLimits,
  type LogLevel,
  type OperationsOptions,
  type ServeLimits,
} from './types';

/** Version of the service reported by `GET /metadata` and the OpenAPI document. */
export const SERVICE_VERSION = '0.1.0';

/** The settings a caller may give in part; {@link resolveSettings} fills in the defaults. */
export interface ServeSettingsInput {
  limits?: Partial<ServeLimits>;
  batch?: Partial<BatchOptions>;
  /** Backpressure, timeout, authentication, CORS and summary settings. */
  operations?: Partial<OperationsOptions>;
  /** Timeouts and caps of client connections (slow or idle clients). */
  connections?: Partial<ConnectionLimits>;
}

/** Every setting with its default filled in and checked. */
export interface ServeSettings {
  limits: ServeLimits;
  batch: BatchOptions;
  operations: OperationsOptions;
  connections: ConnectionLimits;
}

/** Merges the given settings over the defaults; throws naming the setting that is out of range. */
export function resolveSettings(options: ServeSettingsInput): ServeSettings {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const batch: BatchOptions = { ...DEFAULT_BATCH, ...options.batch };
  const operations: OperationsOptions = {
    ...DEFAULT_OPERATIONS,
    ...options.operations,
    publicEndpoints: { ...DEFAULT_OPERATIONS.publicEndpoints, ...options.operations?.publicEndpoints },
  };
  if (!(Number.isInteger(operations.maxQueue) && operations.maxQueue >= limits.documents)) {
    throw new Error(`maxQueue: expected an integer of at least the per-request document limit (${limits.documents}), got ${operations.maxQueue}`);
  }
  const connections = checkConnectionLimits({ ...DEFAULT_CONNECTION_LIMITS, ...options.connections });
  return { limits, batch, operations, connections };
}

/** How the service logs: fastify's logger setting. */
export interface LogSettings {
  /** Fastify logger setting (false in tests, true for the CLI); `logLevel` or `logStream` turn it on too. */
  logger?: boolean;
  /** Level of the logger (default `info`: start-up, errors, the periodic summary; `debug`: every request). */
  logLevel?: LogLevel;
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: { write(line: string): void };
}

/** True when the options turn the logger on. */
export function loggingOn(o: LogSettings): boolean {
  return o.logger === true || o.logLevel !== undefined || o.logStream !== undefined;
}

/** The options of the fastify instance: logger, body limit, strict validation, and the connection timeouts. */
export function fastifyOptions(log: LogSettings, { limits, connections }: Pick<ServeSettings, 'limits' | 'connections'>): FastifyHttpOptions<Server> {
  return {
    logger: loggingOn(log) ? { level: log.logLevel ?? 'info', ...(log.logStream ? { stream: log.logStream } : {}) } : false,
    // Two info lines per request were 24 MB of logs for 64k requests: requests log at debug (plugins/request-metrics.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyBytes,
    // Wrong types must be rejected, not coerced ("123" is not a word list), and nothing removed silently.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Slow clients: node answers 408 and closes a socket whose headers (or whole request) are late;
    // it looks every connectionsCheckingInterval (30 s by default, far too coarse for a 10 s bound).
    requestTimeout: connections.receiveTimeoutMs,
    connectionTimeout: connections.idleTimeoutMs,
    keepAliveTimeout: connections.keepAliveTimeoutMs,
    http: { headersTimeout: connections.headersTimeoutMs, connectionsCheckingInterval: checkingInterval(connections) },
  };
}

function checkConnectionLimits(c: ConnectionLimits): ConnectionLimits {
  for (const [k, v] of Object.entries(c)) {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`connections.${k}: expected an integer >= 0, got ${v}`);
  }
  if (c.keepAliveTimeoutMs === 0) throw new Error('connections.keepAliveTimeoutMs: expected at least 1 ms (0 would keep idle connections for ever)');
  if (c.receiveTimeoutMs > 0 && c.headersTimeoutMs > c.receiveTimeoutMs) {
    throw new Error(`connections.headersTimeoutMs (${c.headersTimeoutMs}) exceeds receiveTimeoutMs (${c.receiveTimeoutMs}): the headers are part of the request`);
  }
  return c;
}

// How often node looks for late headers and requests: a quarter of the shortest bound, between 50 ms and 1 s.
function checkingInterval(c: ConnectionLimits): number {
  const bounds = [c.headersTimeoutMs, c.receiveTimeoutMs].filter((b) => b > 0);
  return bounds.length === 0 ? 1000 : Math.max(50, Math.min(1000, Math.floor(Math.min(...bounds) / 4)));
}
