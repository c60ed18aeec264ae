import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { saveCheckpoint } from '@spert/checkpoint';
import { settingsToJson, SPERT_VERSION } from '@spert/core';
import type { SpertModel } from './spert-model';

/**
 * Writes a model directory in Hugging Face layout (config.json with the "spert" settings,
 * model.safetensors with the reference's names, the tokenizer's files). The directory
 * appears whole or not at all: it is written beside the target and renamed into place.
 */
export async function saveModel(model: SpertModel, dir: string): Promise<void> {
  const target = path.resolve(dir);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await saveCheckpoint({
      dir: tmp,
      config: model.encoder.config,
      encoderTensors: model.encoder.toTensors(),
      extraTensors: model.headTensors(),
      prefix: true,
      extraConfig: { architectures: ['SpERT'], spert_version: SPERT_VERSION, spert: settingsToJson(model.settings) },
    });
    // The tokenizer writes its own files (vocab.txt or tokenizer.json, tokenizer_config.json), whatever its family.
    for (const [name, text] of Object.entries(model.tokenizer.files())) await writeFile(path.join(tmp, name), text);
    const old = `${target}.old-${process.pid}-${Date.now()}`;
    let moved = false;
    try {
      await rename(target, old);
      moved = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await rename(tmp, target);
    if (moved) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
