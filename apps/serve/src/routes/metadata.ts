import fp from 'fastify-plugin';
import { metadataSchema } from '../schemas';
import { SERVICE_VERSION } from '../settings';
import type { BatchOptions, Predictor, ServeLimits } from '../types';

/** Options of {@link metadataRoute}. */
export interface MetadataRouteOptions {
  predictor: Predictor;
  limits: ServeLimits;
  batch: BatchOptions;
  /** Extra version strings (e.g. onnxruntime's). */
  versions?: Record<string, string>;
}

/** `GET /metadata`: the model's types, the limits, the batching settings and counters, the versions. */
export const metadataRoute = fp<MetadataRouteOptions>(
  async (app, { predictor, limits, batch, versions }) => {
    const meta = predictor.metadata();
    const { batcher } = app;
    app.get('/metadata', { schema: metadataSchema }, async () => ({
      model: meta,
      entityTypes: meta.entityTypes,
      relationTypes: meta.relationTypes,
      limits,
      batching: { ...batch, ...batcher.stats },
      versions: { service: SERVICE_VERSION, node: process.versions.node, fastify: app.version, ...versions },
    }));
  },
  { name: 'spert-serve/routes/metadata', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/predictor'] },
);
