// The browser bundle's entry (spert-web.js): only what runs in a page, no Node module.
export { loadSpert, clearSpertCache, DEFAULT_CACHE_NAME, MODEL_GRAPHS, ORT_WASM_FILES, type LoadSpertOptions, type LoadStats, type SpertWeb, type WebBackend, type WebDocument, type WebPredictOptions } from './load-spert';
export { fetchCached, type CacheLike, type DownloadProgress, type FetchCachedOptions, type FetchedFile } from './fetch-cached';
export { SpertWebRuntime, type OrtModule, type WebSessions } from './web-runtime';
export type { Prediction, PredictedEntity, PredictionRecord, RecordEntity, RecordRelation, ModelMetadata, PredictCallOptions } from '@spert/core';
// The word splitter predict(text) uses, for pages that show or check the words of a raw text.
export { splitWords, type SplitWordsOptions, type WordSpan } from '@spert/tokenizer';
