// Builds the committed fuzz seed corpus (tools/testing/fuzz-corpus/<target>/) from the real
// fixtures and datasets in ../shared: small files (a few kB each) that every fuzz target mutates.
// Rerun after a fixture changes: `npx tsx tools/testing/make-fuzz-corpus.ts`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportAnnotations, type AnnotationFormat } from '../../packages/annotations/src/index';
import { readPytorchBin, readSafetensors, writeSafetensors, type NamedTensor, type SafetensorsDtype } from '../../packages/checkpoint/src/index';
import { readZip } from '../../packages/checkpoint/src/zip-reader';
import { readDataset, readTypes } from '../../packages/core/src/index';
import { settingsToJson, SPERT_DEFAULTS } from '../../packages/core/src/model-settings';
import { corpusRoot } from './fuzz';
import { sharedPath } from './shared';
import { torchZip, ZIP_MTIME, type TorchTensor } from './torch-zip';

const fixture = (...p: string[]) => readFileSync(sharedPath('fixtures', ...p));

function put(target: string, name: string, data: Uint8Array | string): void {
  mkdirSync(path.join(corpusRoot, target), { recursive: true });
  writeFileSync(path.join(corpusRoot, target, name), data);
}

/** The `count` smallest tensors of a safetensors fixture, stored in `dtype`. */
function smallSafetensors(file: string[], count: number, dtype: SafetensorsDtype): Uint8Array {
  const { tensors } = readSafetensors(new Uint8Array(fixture(...file)), file.join('/'));
  const picked = [...tensors].sort((a, b) => a[1].data.length - b[1].data.length || (a[0] < b[0] ? -1 : 1)).slice(0, count);
  return writeSafetensors(new Map(picked.map(([n, t]): [string, NamedTensor] => [n, { ...t, dtype }])), { format: 'pt' });
}

async function main(): Promise<void> {
  rmSync(corpusRoot, { recursive: true, force: true });

  // safetensors: the smallest tensors of tiny-bert (F32, F16, BF16) and tiny-roberta, real names and values
  put('safetensors', 'tiny-bert-f32.safetensors', smallSafetensors(['tiny-bert', 'model.safetensors'], 4, 'F32'));
  put('safetensors', 'tiny-bert-f16.safetensors', smallSafetensors(['tiny-bert', 'model.fp16.safetensors'], 3, 'F16'));
  put('safetensors', 'tiny-bert-bf16.safetensors', smallSafetensors(['tiny-bert', 'model.bf16.safetensors'], 3, 'BF16'));
  put('safetensors', 'tiny-roberta.safetensors', smallSafetensors(['tiny-roberta', 'model.safetensors'], 3, 'F32'));

  // pytorch_model.bin: the smallest tensors of the real .bin fixtures, in torch.save's layout
  const fromBin = (dir: string, count: number, storage: TorchTensor['storage']): TorchTensor[] => {
    const all = readPytorchBin(new Uint8Array(fixture(dir, 'pytorch_model.bin')), `${dir}/pytorch_model.bin`);
    return [...all]
      .sort((a, b) => a[1].data.length - b[1].data.length || (a[0] < b[0] ? -1 : 1))
      .slice(0, count)
      .map(([name, t]) => {
        const data = storage === 'FloatStorage' ? t.data : new Float64Array(t.data);
        return { name, shape: t.shape, storage, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      });
  };
  const bertBin = torchZip(fromBin('tiny-bert', 3, 'FloatStorage'), 'pytorch_model');
  put('pytorch-bin', 'tiny-bert.bin', bertBin);
  put('pytorch-bin', 'tiny-roberta-f64.bin', torchZip(fromBin('tiny-roberta', 2, 'DoubleStorage')));
  put('pytorch-bin', 'ints.bin', torchZip([{ name: 'position_ids', shape: [1, 4], storage: 'LongStorage', bytes: new Uint8Array(new BigInt64Array([0n, 1n, 2n, 3n]).buffer) }]));

  // zip: the same archives (stored) and one deflated, so inflate is fuzzed too
  put('zip', 'tiny-bert.zip', bertBin);
  const { zipSync } = await import('fflate');
  put('zip', 'deflated.zip', zipSync({ 'a/data.pkl': new Uint8Array(fixture('tiny-bert', 'vocab.txt')).subarray(0, 600), 'a/version': new TextEncoder().encode('3\n') }, { level: 6, mtime: ZIP_MTIME }));

  // data.pkl: the real pickles of the fixtures (torch wrote them), read with the state-dict hooks
  for (const dir of ['tiny-bert', 'tiny-roberta']) {
    const zip = readZip(new Uint8Array(fixture(dir, 'pytorch_model.bin')), dir);
    const pkl = [...zip.keys()].find((n) => n.endsWith('/data.pkl'))!;
    put('pickle', `${dir}.pkl`, zip.get(pkl)!.read());
  }

  // config.json of each family
  for (const dir of ['tiny-bert', 'tiny-roberta', 'tiny-deberta-v3', 'spert-scratch-conll04']) put('config', `${dir}.json`, fixture(dir, 'config.json'));

  // vocab.txt
  put('vocab', 'tiny-bert.txt', fixture('tiny-bert', 'vocab.txt'));

  // tokenizer.json: BPE (tiny-roberta), Unigram (tiny-deberta-v3 without its 300 kB charsmap), WordPiece (tiny-bert's vocab)
  // RoBERTa's tokenizer.json leaves unk_token to tokenizer_config.json: named in the model here, so the file stands alone
  const bpe = JSON.parse(fixture('tiny-roberta', 'tokenizer.json').toString('utf8'));
  bpe.model.unk_token = '<unk>';
  bpe.padding = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 1, pad_type_id: 0, pad_token: '<pad>' };
  put('tokenizer-json', 'bpe.json', JSON.stringify(bpe));
  const unigram = JSON.parse(fixture('tiny-deberta-v3', 'tokenizer.json').toString('utf8'));
  unigram.normalizer.normalizers = unigram.normalizer.normalizers.filter((n: { type: string }) => n.type !== 'Precompiled');
  unigram.padding = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' };
  put('tokenizer-json', 'unigram.json', JSON.stringify(unigram));
  const vocab = fixture('tiny-bert', 'vocab.txt').toString('utf8').split('\n').filter((l) => l !== '');
  const special = (content: string) => ({ id: vocab.indexOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  put('tokenizer-json', 'wordpiece.json', JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  }));

  // SpERT datasets and types: the first documents of CoNLL04 and SciERC
  const conll = (f: string) => sharedPath('datasets', 'conll04', f);
  const types = await readTypes({ path: conll('conll04_types.json') });
  const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 3);
  put('dataset', 'conll04.json', JSON.stringify(JSON.parse(readFileSync(conll('conll04_train.json'), 'utf8')).slice(0, 3)));
  put('types', 'conll04_types.json', readFileSync(conll('conll04_types.json')));
  put('types', 'scierc_types.json', readFileSync(sharedPath('datasets', 'scierc', 'scierc_types.json')));

  // an exported model's config.json (the encoder's fields + the spert object spert-export writes)
  const exported = { ...JSON.parse(fixture('tiny-bert', 'config.json').toString('utf8')), spert_version: '1.1', spert: settingsToJson({ ...SPERT_DEFAULTS, types }) };
  put('onnx-config', 'config.json', JSON.stringify(exported, null, 2));

  // annotation tools: CoNLL04 documents exported by our own writers (real text, offsets, relations)
  const dir = await mkdtemp(path.join(tmpdir(), 'spert-corpus-'));
  try {
    for (const format of ['brat', 'label-studio', 'doccano'] as AnnotationFormat[]) {
      const out = path.join(dir, format);
      await exportAnnotations({ format, documents: docs, path: out, types });
      if (format === 'brat') {
        for (const stem of (await readdir(out)).filter((n) => n.endsWith('.txt')).map((n) => n.slice(0, -4))) {
          // one input = .txt, .ann and .spert.json joined by a record separator (0x1e)
          const parts = await Promise.all(['txt', 'ann', 'spert.json'].map((e) => readFile(path.join(out, `${stem}.${e}`), 'utf8')));
          put('brat', `${stem}.brat`, parts.join('\x1e'));
        }
      } else {
        put(format, format === 'doccano' ? 'conll04.jsonl' : 'conll04.json', await readFile(out));
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
