// A foreign RoBERTa folder whose tokenizer_config.json sets no model_max_length: the page must
// take the longest input from the encoder's family (max_position_embeddings - pad_token_id - 1),
// as onnxruntime-node does, not the raw position count.
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { loadFolderTokenizer, type FetchStats } from './folder-tokenizer';

const BASE = 'http://models.test/foreign-roberta/';

function folderFetch(files: Record<string, string>, calls: string[]): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    const name = url.slice(BASE.length);
    return name in files ? new Response(files[name]) : new Response('no', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;
}

describe('loadFolderTokenizer', () => {
  const fixture = (name: string) => readFileSync(sharedPath('fixtures', 'tiny-roberta', name), 'utf8');
  const config = JSON.parse(fixture('config.json')) as Record<string, unknown>;
  const { model_max_length: _dropped, ...tokenizerConfig } = JSON.parse(fixture('tokenizer_config.json')) as Record<string, unknown>;
  const files = { 'tokenizer.json': fixture('tokenizer.json'), 'tokenizer_config.json': JSON.stringify(tokenizerConfig) };

  it('gives a RoBERTa tokenizer without model_max_length the positions after padding_idx, as the Node runtime', async () => {
    expect(config.max_position_embeddings).toBe(66);
    expect(config.pad_token_id).toBe(1);
    const calls: string[] = [];
    const stats: FetchStats = { downloadedBytes: 0, downloadedFiles: [], cachedFiles: [] };
    const tokenizer = await loadFolderTokenizer({
      base: BASE,
      configText: JSON.stringify(config),
      config,
      fetch: { cache: null, fetch: folderFetch(files, calls) },
      stats,
    });
    expect(tokenizer.kind).toBe('tokenizer-json');
    expect(tokenizer.maxLength).toBe(64);
    // config.json came with the call: nothing fetched it again
    expect(calls).not.toContain(`${BASE}config.json`);
    expect(stats.downloadedFiles).toEqual(expect.arrayContaining([`${BASE}tokenizer.json`, `${BASE}tokenizer_config.json`]));
    expect(stats.downloadedBytes).toBe(Buffer.byteLength(files['tokenizer.json']) + Buffer.byteLength(files['tokenizer_config.json']));
    // without the family the loader only sees max_position_embeddings: the two positions the browser used to allow too many
    const familyBlind = await loadTokenizer({
      dir: '/foreign-roberta',
      readTextFile: async (file) => ({ '/foreign-roberta/config.json': JSON.stringify(config), '/foreign-roberta/tokenizer.json': files['tokenizer.json'], '/foreign-roberta/tokenizer_config.json': files['tokenizer_config.json'] })[file],
    });
    expect(familyBlind.tokenizer.maxLength).toBe(66);
  });
});
