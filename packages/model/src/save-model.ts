import * as path from 'node:path';
import { saveCheckpoint } from '@spert/checkpoint';
import { settingsToJson, SPERT_VERSION, writeDirectoryAtomic, writeFileAtomic } from '@spert/core';
import { saveMaskedLm, type Encoder, type MaskedLmHead } from '@spert/encoder';
import type { SubwordTokenizer } from '@spert/tokenizer';
import type { SpertModel } from './spert-model';

/** The tokenizer writes its own files (vocab.txt or tokenizer.json, tokenizer_config.json), whatever its family. */
async function writeTokenizerFiles(tokenizer: SubwordTokenizer, dir: string): Promise<void> {
  for (const [name, text] of Object.entries(tokenizer.files())) await writeFileAtomic({ path: path.join(dir, name), data: text });
}

/**
 * Writes a model directory in Hugging Face layout (config.json with the "spert" settings,
 * model.safetensors with the reference's names, the tokenizer's files). The directory
 * appears whole or not at all: it is written beside the target and renamed into place.
 */
export async function saveModel(model: SpertModel, dir: string): Promise<void> {
  await writeDirectoryAtomic({
    path: dir,
    fill: async (tmp) => {
      await saveCheckpoint({
        dir: tmp,
        config: model.encoder.config,
        encoderTensors: model.encoder.toTensors(),
        extraTensors: model.headTensors(),
        prefix: true,
        extraConfig: { architectures: ['SpERT'], spert_version: SPERT_VERSION, spert: settingsToJson(model.settings) },
      });
      await writeTokenizerFiles(model.tokenizer, tmp);
    },
  });
}

/** Options of {@link saveMaskedLmModel}. */
export interface SaveMaskedLmModelOptions {
  dir: string;
  encoder: Encoder;
  head: MaskedLmHead;
  tokenizer: SubwordTokenizer;
  /** Fields merged into config.json (e.g. how it was pre-trained). */
  extraConfig?: Record<string, unknown>;
}

/**
 * Writes a pre-trained encoder as a `*ForMaskedLM` directory (encoder, masked-LM head, tokenizer
 * files) that `spert-train --encoder` fine-tunes and transformers' AutoModelForMaskedLM reads;
 * whole or not at all, like saveModel.
 */
export async function saveMaskedLmModel({ dir, encoder, head, tokenizer, extraConfig }: SaveMaskedLmModelOptions): Promise<void> {
  await writeDirectoryAtomic({
    path: dir,
    fill: async (tmp) => {
      await saveMaskedLm({ dir: tmp, encoder, head, extraConfig });
      await writeTokenizerFiles(tokenizer, tmp);
    },
  });
}
