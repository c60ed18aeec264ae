import { integerOption, silentCommanderOutput, SpertError } from '@spert/core';
import { BACKEND_NAMES } from '@spert/backend';
import { Command } from 'commander';
import { convertCommand, type DataFormat } from './convert';
import { manifestPath, prepareCorpus } from './corpus/prepare';
import { CORPUS_SOURCE_INFO, CORPUS_SOURCES, type CorpusSourceName } from './corpus/sources';
import { selectCommand } from './select';

const choice = <T extends string>(flag: string, values: readonly T[]) => (v: string): T => {
  if (!(values as readonly string[]).includes(v)) throw new SpertError('INVALID_OPTION', `${flag} must be one of ${values.join(', ')}, got "${v}"`);
  return v as T;
};
const FORMATS = ['spert', 'brat', 'label-studio', 'doccano'] as const satisfies readonly DataFormat[];
const COMMANDS = 'convert, prepare-corpus or select';

/** --source a b, --source a,b: the names, each checked. */
function sourceNames(values: string[]): CorpusSourceName[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const n of names) choice('--source', CORPUS_SOURCES)(n);
  return names as CorpusSourceName[];
}

/** --from PATH (one source) or --from NAME=PATH (any of several). */
function fromPaths(values: string[], sources: CorpusSourceName[]): Partial<Record<CorpusSourceName, string>> {
  const out: Partial<Record<CorpusSourceName, string>> = {};
  for (const v of values) {
    const m = /^([a-z]+)=(.+)$/.exec(v);
    if (m && (CORPUS_SOURCES as readonly string[]).includes(m[1])) out[m[1] as CorpusSourceName] = m[2];
    else if (sources.length === 1) out[sources[0]] = v;
    else throw new SpertError('INVALID_OPTION', `--from ${v}: with several sources, say which: --from NAME=PATH (NAME one of ${sources.join(', ')})`);
  }
  return out;
}

const sourceHelp = [
  '',
  'Sources (installed by hand: this command never installs anything; --from PATH reads them elsewhere):',
  ...CORPUS_SOURCES.map((n) => {
    const s = CORPUS_SOURCE_INFO[n];
    return `  ${n.padEnd(8)} ${s.description}\n           ${s.install}; read from ${s.location}\n           licence: ${s.licence}`;
  }),
  '',
  'Example: npx spert-data prepare-corpus --source wordnet gcide foldoc jargon devil sotu --out ~/corpora/general.txt',
].join('\n');

/** Runs `spert-data` with argv (without node and script); resolves to what it printed on stdout. */
export async function runDataCli(argv: string[], log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<string> {
  let output = '';
  const program = new Command('spert-data').description('Convert between SpERT JSON and annotation tools (brat, Label Studio, doccano); prepare pre-training corpora; select the documents a model is least sure about');
  program.exitOverride().configureOutput(silentCommanderOutput);
  let action: Promise<void> | undefined;
  program
    .command('convert')
    .description('convert a dataset: tool -> spert (JSON + types, with a problem report), spert or predictions -> tool, or tool -> tool')
    .requiredOption('--from <format>', 'spert | brat | label-studio | doccano', choice('--from', FORMATS))
    .requiredOption('--to <format>', 'spert | brat | label-studio | doccano', choice('--to', FORMATS))
    .requiredOption('--in <path>', 'brat: folder of .txt/.ann; label-studio: JSON export; doccano: JSONL; spert: dataset or predictions JSON')
    .requiredOption('--out <path>', 'output file (brat: folder)')
    .option('--types <file>', 'to spert: types file to write (default <out>_types.json); from spert: the input\'s types (default: its labels)')
    .option('--schema <file>', 'types whose order and symmetric flags the import keeps; labels outside it are reported')
    .option('--boundaries <mode>', 'an entity boundary inside a word: report (leave it out) | snap (widen to the word)', choice('--boundaries', ['report', 'snap'] as const), 'report')
    .option('--discontinuous <mode>', 'a discontinuous brat entity: skip | join (first to last fragment)', choice('--discontinuous', ['skip', 'join'] as const), 'skip')
    .option('--sentences <mode>', 'document (keep texts whole) | sentences | lines', choice('--sentences', ['document', 'sentences', 'lines'] as const), 'document')
    .option('--locale <tag>', 'locale of the word splitter (matters for CJK and Thai)')
    .option('--offsets <unit>', 'offset unit of the tool files: code-points (brat, doccano) | utf16 (Label Studio)', choice('--offsets', ['code-points', 'utf16'] as const))
    .option('--text-field <key>', 'label-studio input: key of the text in data (text)')
    .option('--annotator <id>', 'label-studio input: take this annotator\'s annotation (user id or e-mail)')
    .option('--pick <which>', 'label-studio input with several annotations: first | latest', choice('--pick', ['first', 'latest'] as const))
    .option('--read-predictions', 'label-studio input: read the predictions, not the annotations')
    .option('--as <kind>', 'label-studio output: annotations | predictions (default: predictions when the input has scores)', choice('--as', ['annotations', 'predictions'] as const))
    .option('--model-version <name>', 'label-studio output: model_version of the predictions (spert)')
    .option('--config <file>', 'label-studio output: also write the labeling config (XML) for the types')
    .option('--problems <file>', 'write every problem as JSON lines')
    .action((o: Record<string, unknown>) => {
      action = convertCommand({
        from: o.from as DataFormat,
        to: o.to as DataFormat,
        input: String(o.in),
        output: String(o.out),
        types: o.types as string | undefined,
        schemaFile: o.schema as string | undefined,
        boundaries: o.boundaries as 'report' | 'snap',
        discontinuous: o.discontinuous as 'skip' | 'join',
        sentences: o.sentences as 'document' | 'sentences' | 'lines',
        splitOptions: o.locale ? { locale: String(o.locale) } : undefined,
        offsets: o.offsets as 'code-points' | 'utf16' | undefined,
        textField: o.textField as string | undefined,
        annotator: o.annotator as string | undefined,
        pick: o.pick as 'first' | 'latest' | undefined,
        readPredictions: o.readPredictions === true,
        as: o.as as 'annotations' | 'predictions' | undefined,
        modelVersion: o.modelVersion as string | undefined,
        config: o.config as string | undefined,
        problems: o.problems as string | undefined,
        log,
      }).then((summary) => {
        output = summary;
      });
    });
  program
    .command('prepare-corpus')
    .description('write a pre-training corpus (plain text, one document a line) and its manifest from installed dictionary and text packages')
    .option('--source <names...>', `sources to read, in order: ${CORPUS_SOURCES.join(' | ')} (space- or comma-separated)`)
    .option('--combine <files...>', 'corpus files (one document a line) to append after the sources, e.g. corpora prepared before')
    .option('--from <paths...>', 'read a source from PATH instead of its installed package; NAME=PATH with several sources')
    .requiredOption('--out <file>', 'corpus file to write (its manifest: <file>.manifest.json)')
    .option('--min-words <n>', 'leave out documents with fewer words', integerOption('--min-words', 1, Number.MAX_SAFE_INTEGER), 3)
    .addHelpText('after', sourceHelp)
    .action((o: { source?: string[]; combine?: string[]; from?: string[]; out: string; minWords: number }) => {
      const sources = sourceNames(o.source ?? []);
      action = prepareCorpus({ sources, combine: o.combine, from: fromPaths(o.from ?? [], sources), out: o.out, minWords: o.minWords, log }).then((m) => {
        output = `wrote ${m.lines} documents, ${m.words} words, ${m.bytes} bytes: ${o.out} (sha256 ${m.sha256}); manifest ${manifestPath(o.out)}\n`;
      });
    });
  program
    .command('select')
    .description('active learning: predict a pool of documents and print (or write) the N the model is least sure about, least confident first')
    .requiredOption('--model <dir>', 'SpERT model directory (spert-train writes one)')
    .requiredOption('--pool <file>', 'documents to choose from: JSONL ({"id", "text"} or {"id", "tokens"} a line) or plain text (a document a line; .gz too); - for stdin')
    .requiredOption('--n <count>', 'how many documents to select', integerOption('--n', 1, 10_000_000))
    .option('--out <file>', 'write the selected documents here (JSONL) instead of stdout')
    .option('--types <file>', 'types file to check the model against')
    .option('--backend <name>', 'TF.js backend: auto | tensorflow-gpu | tensorflow | wasm | cpu', choice('--backend', BACKEND_NAMES), 'auto')
    .action((o: Record<string, unknown>) => {
      action = selectCommand({
        model: String(o.model),
        pool: String(o.pool),
        n: o.n as number,
        out: o.out as string | undefined,
        types: o.types as string | undefined,
        backend: o.backend as 'auto',
        log,
      }).then(({ selected, summary }) => {
        if (o.out) output = `${summary}\n`;
        else {
          output = selected;
          log(summary);
        }
      });
    });
  // commander 14 answers a missing command with its help and an exit; say what is missing instead.
  if (!argv.some((a) => !a.startsWith('-'))) {
    if (!argv.some((a) => a === '--help' || a === '-h')) throw new SpertError('INVALID_OPTION', `spert-data: name a command: ${COMMANDS} (see --help)`);
  }
  program.parse(['node', 'spert-data', ...argv]);
  if (!action) throw new SpertError('INVALID_OPTION', `spert-data: name a command: ${COMMANDS} (see --help)`);
  await action;
  return output;
}
