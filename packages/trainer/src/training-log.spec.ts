import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TrainingLog, type LossLogRow } from './training-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spert-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const loss = (step: number, epoch: number): LossLogRow => ({
  type: 'loss', epoch, step, steps: 2, loss: 1 / step, parts: { entity: 0.5 / step, relation: 0.5 / step }, lr: 1e-3, docsPerSecond: 4, time: '2026-01-01T00:00:00.000Z',
});

describe('TrainingLog', () => {
  it('writes JSONL, CSV with quoted cells and the SVG; a reopen keeps only rows before the resume point', async () => {
    const log = await TrainingLog.open({ dir });
    await log.add(loss(2, 0));
    await log.add({ type: 'eval', epoch: 0, step: 2, metrics: { 'ner,micro': 50 }, time: 't' });
    await log.add(loss(4, 1));
    await log.add({ type: 'eval', epoch: 1, step: 4, metrics: { 'ner,micro': 60 }, time: 't' });
    expect((await readFile(log.file('jsonl'), 'utf8')).trim().split('\n')).toHaveLength(4);
    const lossCsv = (await readFile(log.file('lossCsv'), 'utf8')).trim().split('\n');
    expect(lossCsv[0]).toBe('step,epoch,steps,loss,entity,relation,lr,docs_per_s,time');
    expect(lossCsv[1]).toBe('2,0,2,0.5,0.25,0.25,0.001,4,2026-01-01T00:00:00.000Z');
    expect((await readFile(log.file('evalCsv'), 'utf8')).split('\n')[0]).toBe('epoch,step,"ner,micro",time');
    expect(await readFile(log.file('svg'), 'utf8')).toContain('<circle');

    const resumed = await TrainingLog.open({ dir, keep: (r) => (r.type === 'loss' ? r.step <= 2 : r.epoch < 1) });
    expect(resumed.rows.map((r) => `${r.type}@${r.step}`)).toEqual(['loss@2', 'eval@2']);
    expect((await readFile(log.file('jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
    expect((await readFile(log.file('evalCsv'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('says which line of a damaged log is broken', async () => {
    const log = await TrainingLog.open({ dir });
    await log.add(loss(2, 0));
    const { appendFile } = await import('node:fs/promises');
    await appendFile(path.join(dir, 'train_log.jsonl'), '{oops\n');
    await expect(TrainingLog.open({ dir, keep: () => true })).rejects.toThrow(/train_log.jsonl line 2 is not JSON/);
  });
});
