// What spert-train and spert-pretrain share in their settings: where the encoder comes from, how a
// run is driven (backend, output folder, resume, progress lines), and how layered settings
// (preset < config file < flags) are merged and validated.
import { integerOption, SpertError } from '@spert/core';
import { BACKEND_NAMES } from '@spert/backend';
import { SCRATCH_FAMILIES } from '@spert/model';
import type { Command } from 'commander';
import { z } from 'zod';

/** The sizes of a random encoder built from scratch (each command has its own defaults). */
export interface ScratchSizes {
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
}

/** Schema fields of the encoder a run starts from: a checkpoint (`encoder`), or a random one of `family` with these sizes. */
export function encoderFields(sizes: ScratchSizes) {
  return {
    encoder: z.string().optional(),
    family: z.enum(SCRATCH_FAMILIES).optional(),
    hiddenSize: z.number().int().positive().default(sizes.hiddenSize),
    layers: z.number().int().positive().default(sizes.layers),
    heads: z.number().int().positive().default(sizes.heads),
    intermediateSize: z.number().int().positive().default(sizes.intermediateSize),
    maxVocab: z.number().int().positive().default(30000),
    lowercase: z.boolean().optional(),
  };
}

/** Schema fields of how a run is driven: TF.js backend, run directory (default `out`), resume, log and progress lines. */
export function runFields(out: string) {
  return {
    backend: z.enum(BACKEND_NAMES).default('auto'),
    out: z.string().default(out),
    resume: z.boolean().default(false),
    verbose: z.boolean().default(false),
    progress: z.boolean().optional(),
    progressEvery: z.number().int().positive().optional(),
  };
}

/** Adds the flags of {@link runFields} to a command; `outHelp` says what the run directory holds. */
export function addRunFlags(program: Command, outHelp: string): Command {
  return program
    .option('--backend <name>', 'auto | tensorflow-gpu | tensorflow | wasm | cpu')
    .option('--out <dir>', outHelp)
    .option('--resume', 'continue from the latest checkpoint in <out>/checkpoints')
    .option('--verbose', "also list the backend's active kernel fixes at start-up")
    .option('--no-progress', 'plain progress lines instead of the bar')
    .option('--progress-every <steps>', 'without a progress bar (--no-progress, or stderr not a terminal): print a progress line every N steps, besides one per epoch (default 100)', integerOption('--progress-every'));
}

/**
 * Merges settings layers (later ones win; undefined values do not count) and validates them
 * against `schema`, listing every bad field under "invalid `what`"; a checkpoint given a family is
 * refused. `source` (the config file) prefixes the messages when the settings came from one.
 */
export function resolveLayers<T extends { family?: string; encoder?: string }>(
  schema: z.ZodType<T>,
  layers: Array<Record<string, unknown> | undefined>,
  what: string,
  source?: string,
): { config: T; merged: Record<string, unknown>; where: string } {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) merged[k] = v;
  const parsed = schema.safeParse(merged);
  const where = source ? `${source}: ` : '';
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SpertError('INVALID_OPTION', `${where}invalid ${what}:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  // A checkpoint carries its own family (config.json model_type).
  if (config.family !== undefined && config.encoder !== undefined) {
    throw new SpertError('INVALID_OPTION', `${where}family "${config.family}" is for encoders built from scratch; the checkpoint ${config.encoder} has its own family (drop --family or --encoder)`);
  }
  return { config, merged, where };
}
