import * as path from 'node:path';
import { Command } from 'commander';
import { assertModelDir, readTypes, silentCommanderOutput } from '@spert/core';
import { exportSpertOnnx, type ExportResult } from '@spert/onnx';
import { renderPage, writeWebFolder } from '@spert/web';

/** Parsed command line of spert-export. */
export interface ExportCliOptions {
  model: string;
  out: string;
  types?: string;
  int8: boolean;
  /** Also write a static folder for browsers here (page, @spert/web bundle, onnxruntime-web wasm, model/). */
  web?: string;
  /** Export weights holding NaN or infinite values (refused by default). */
  allowNonFinite: boolean;
}

/** Parses spert-export's arguments (`argv` as in process.argv: node, script, args...); throws on bad input. */
export function parseExportArgs(argv: string[]): ExportCliOptions {
  const program = new Command('spert-export');
  program
    .description('Export a SpERT model directory (ours or the reference\'s) to ONNX for spert-serve and any onnxruntime')
    .requiredOption('--model <dir>', 'model directory: config.json, model.safetensors or pytorch_model.bin, vocab.txt')
    .requiredOption('--out <dir>', 'where to write encoder.onnx, entity_head.onnx, relation_head.onnx, config.json and the vocabulary')
    .option('--types <file>', 'types file (needed for the reference\'s directories, which do not store their types)')
    .option('--int8', 'quantize the encoder\'s matrix products to int8 (smaller and faster on CPU; see docs/benchmarks.md for the F1 change)', false)
    .option('--allow-non-finite', 'load weights holding NaN or infinite values (refused by default, naming the tensors)', false)
    .option('--web <dir>', 'also write a static folder that runs the model in the browser: index.html, spert-web.js, onnxruntime-web\'s wasm files and model/ (host it with any static file server)')
    // Errors are thrown, not printed: the entry point prints each as one line (see cliFailure).
    .exitOverride()
    .configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  return { model: o.model as string, out: o.out as string, types: o.types as string | undefined, int8: o.int8 === true, web: o.web as string | undefined, allowNonFinite: o.allowNonFinite === true };
}

/** Runs spert-export: validates the paths, exports, and reports what it wrote (`web.bundleDir`: a built browser bundle to use for --web). */
export async function runExport(argv: string[], log: (s: string) => void = (s) => process.stderr.write(`${s}\n`), web: { bundleDir?: string } = {}): Promise<ExportResult> {
  const o = parseExportArgs(argv);
  await assertModelDir(o.model, { flag: '--model' });
  if (path.resolve(o.out) === path.resolve(o.model)) throw new Error('--out must differ from --model (the export has its own config.json)');
  if (o.web && [o.model, o.out].some((d) => path.resolve(d) === path.resolve(o.web as string))) throw new Error('--web must differ from --model and --out (it gets its own index.html and model/)');
  const types = o.types ? await readTypes({ path: o.types }) : undefined;
  const started = Date.now();
  const result = await exportSpertOnnx({ modelDir: o.model, outDir: o.out, types, quantization: o.int8 ? 'int8' : 'none', allowNonFinite: o.allowNonFinite });
  const t = result.settings.types;
  log(
    `exported ${o.model} -> ${result.outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      ` (${t.entities.length} entity types, ${t.relations.length} relation types${o.int8 ? ', int8 encoder' : ''}): ${result.files.map((f) => path.basename(f)).join(', ')}`,
  );
  if (o.web) {
    const page = renderPage({ browser: { bundle: './spert-web.js', model: './model/' }, serverless: true });
    const folder = await writeWebFolder({ modelDir: result.outDir, outDir: o.web, page, bundleDir: web.bundleDir });
    const mb = folder.files.reduce((n, f) => n + f.bytes, 0) / 1e6;
    log(`wrote the browser folder ${o.web} (${folder.files.length} files, ${mb.toFixed(1)} MB): serve it with any static file server and open index.html`);
  }
  return result;
}
