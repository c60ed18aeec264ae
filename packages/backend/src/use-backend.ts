import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { backendReport, type BackendReport } from './backend-report';
import { setActiveBackendName, type ConcreteBackend } from './active-backend';
import { installKernelFixes } from './install-kernel-fixes';
import { SpertError } from '@spert/core';
import { guardWasmMalloc, type MallocModule } from './wasm-malloc-guard';

/** Every name {@link useBackend} takes, `auto` first: the one list a CLI offers as `--backend` choices. */
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** Backends this package can start. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Loads a module by name; injectable so tests can stand in for optional native packages. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** Options of {@link useBackend}. */
export interface UseBackendOptions {
  /** How optional peers (@tensorflow/tfjs-node, -gpu) are loaded; defaults to a dynamic import. */
  importModule?: ModuleImporter;
}


const nativePackages: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const autoOrder: ConcreteBackend[] = BACKEND_NAMES.filter((n): n is ConcreteBackend => n !== 'auto');

// A variable specifier keeps bundlers and tsc from resolving packages that are optional peers.
const defaultImporter: ModuleImporter = (specifier) => import(specifier);

async function start(name: ConcreteBackend, importModule: ModuleImporter): Promise<void> {
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    const pkg = nativePackages[name];
    try {
      await importModule(pkg);
    } catch (cause) {
      throw new SpertError('RUNTIME_UNAVAILABLE',
        `backend "${name}" needs ${pkg}, which is not installed or failed to load. ` +
          `Install it with \`npm i ${pkg}\` (its install script downloads libtensorflow, so it needs ` +
          `network access), or choose --backend wasm. Cause: ${(cause as Error).message}`,
        { field: 'backend', package: pkg },
        { cause },
      );
    }
    installKernelFixes();
    // tfjs-node registers itself as the "tensorflow" backend (the gpu build too).
    if (!(await tf.setBackend('tensorflow'))) throw new SpertError('RUNTIME_UNAVAILABLE', `${pkg} loaded but the "tensorflow" backend failed to start`);
  } else if (name === 'wasm') {
    installKernelFixes();
    if (!(await tf.setBackend('wasm'))) throw new SpertError('RUNTIME_UNAVAILABLE', 'the wasm backend (@tensorflow/tfjs-backend-wasm) failed to start');
    const { wasm } = tf.backend() as unknown as { wasm?: MallocModule };
    if (wasm) guardWasmMalloc(wasm);
  } else {
    installKernelFixes();
    if (!(await tf.setBackend('cpu'))) throw new SpertError('RUNTIME_UNAVAILABLE', 'the cpu backend failed to start');
  }
  await tf.ready();
  setActiveBackendName(name);
}

/** Starts the requested TensorFlow.js backend (auto: fastest that works) and returns what runs. */
export async function useBackend(name: BackendName = 'auto', options: UseBackendOptions = {}): Promise<BackendReport> {
  const importModule = options.importModule ?? defaultImporter;
  if (name !== 'auto' && !autoOrder.includes(name)) {
    throw new SpertError('INVALID_OPTION', `unknown backend "${String(name)}"; expected one of auto, ${autoOrder.join(', ')}`);
  }
  if (name !== 'auto') {
    await start(name, importModule);
    return backendReport();
  }
  const failures: string[] = [];
  for (const candidate of autoOrder) {
    try {
      await start(candidate, importModule);
      return backendReport();
    } catch (e) {
      failures.push(`${candidate}: ${(e as Error).message}`);
    }
  }
  throw new SpertError('RUNTIME_UNAVAILABLE', `no TensorFlow.js backend could start:\n${failures.join('\n')}`);
}
