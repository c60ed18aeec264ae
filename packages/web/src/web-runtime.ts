// The onnxruntime-web adapter: the SpertRuntime contract over three browser InferenceSessions.
// How the graphs are fed is @spert/onnx's scoreSpansWithOrt, the same code the Node runtime runs.
import type { ScoredBatch, SpanScoringInput, SpertRuntime, SpertSettings } from '@spert/core';
import { scoreSpansWithOrt } from '@spert/onnx';
import type * as OrtWeb from 'onnxruntime-web';

/** The onnxruntime-web module in use (its wasm or its WebGPU build). */
export type OrtModule = typeof OrtWeb;

/** The three onnxruntime-web sessions of a model. */
export interface WebSessions {
  encoder: OrtWeb.InferenceSession;
  entityHead: OrtWeb.InferenceSession;
  relationHead: OrtWeb.InferenceSession;
}

/** SpERT's graphs on onnxruntime-web, behind typed arrays. */
export class SpertWebRuntime implements SpertRuntime {
  private disposed = false;

  constructor(
    private readonly ort: OrtModule,
    private readonly sessions: WebSessions,
    readonly settings: SpertSettings,
    /** The model folder's URL, named in errors. */
    readonly source: string,
  ) {}

  /** Opens the three graphs from their bytes with the given execution providers. */
  static async open(o: { ort: OrtModule; graphs: { encoder: Uint8Array; entityHead: Uint8Array; relationHead: Uint8Array }; settings: SpertSettings; source: string; executionProviders: string[] }): Promise<SpertWebRuntime> {
    const options: OrtWeb.InferenceSession.SessionOptions = { executionProviders: o.executionProviders, graphOptimizationLevel: 'all' };
    const open = async (name: string, bytes: Uint8Array) => {
      try {
        return await o.ort.InferenceSession.create(bytes, options);
      } catch (e) {
        throw new Error(`${o.source}${name}: onnxruntime-web could not open it with [${o.executionProviders.join(', ')}]: ${(e as Error).message}`);
      }
    };
    // One at a time: sessions share the single wasm instance, and its start-up must not race.
    const encoder = await open('encoder.onnx', o.graphs.encoder);
    const entityHead = await open('entity_head.onnx', o.graphs.entityHead);
    const relationHead = await open('relation_head.onnx', o.graphs.relationHead);
    return new SpertWebRuntime(o.ort, { encoder, entityHead, relationHead }, o.settings, o.source);
  }

  /** Encodes a batch and scores its candidate spans (the runtime contract). */
  scoreSpans(input: SpanScoringInput): Promise<ScoredBatch> {
    if (this.disposed) throw new Error(`${this.source}: SpertWebRuntime used after dispose()`);
    return scoreSpansWithOrt({ sessions: this.sessions, Tensor: this.ort.Tensor, settings: this.settings, source: this.source }, input);
  }

  /** Releases the sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.sessions.encoder.release(), this.sessions.entityHead.release(), this.sessions.relationHead.release()]);
  }
}
