import fp from 'fastify-plugin';

/** What the periodic summary reports: counts since the previous summary. */
export interface SummaryCounts {
  requests: number;
  errors: number;
  rejected: number;
  /** Documents answered; the predict route adds its own. */
  documents: number;
  latencyMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts since the last summary line (plugins/summary.ts). */
    summaryCounts: SummaryCounts;
  }
}

/**
 * Logs one summary line every `intervalMs` while there is traffic (requests, 5xx, 429, documents,
 * mean latency, queue depth); an idle service stays quiet. `enabled` false (no logger) or an
 * interval of 0: no line, the counts are still kept.
 */
export const summaryLog = fp<{ enabled: boolean; intervalMs: number }>(
  async (app, { enabled, intervalMs }) => {
    const recent: SummaryCounts = { requests: 0, errors: 0, rejected: 0, documents: 0, latencyMs: 0 };
    app.decorate('summaryCounts', recent);
    app.addHook('onResponse', async (_request, reply) => {
      recent.requests += 1;
      recent.latencyMs += reply.elapsedTime;
      if (reply.statusCode >= 500) recent.errors += 1;
      if (reply.statusCode === 429) recent.rejected += 1;
    });
    if (!(enabled && intervalMs > 0)) return;
    const { batcher } = app;
    const summaryTimer = setInterval(() => {
      if (recent.requests === 0) return; // an idle service stays quiet
      app.log.info(
        {
          requests: recent.requests,
          errors5xx: recent.errors,
          rejected429: recent.rejected,
          documents: recent.documents,
          meanLatencyMs: Math.round((recent.latencyMs / recent.requests) * 10) / 10,
          queueDepth: batcher.pending,
          intervalSeconds: intervalMs / 1000,
        },
        'summary',
      );
      Object.assign(recent, { requests: 0, errors: 0, rejected: 0, documents: 0, latencyMs: 0 });
    }, intervalMs);
    summaryTimer.unref();
    app.addHook('onClose', async () => clearInterval(summaryTimer));
  },
  { name: 'spert-serve/summary', fastify: '5.x', dependencies: ['spert-serve/predictor'] },
);
