import * as path from 'node:path';
import { dependencyClosure, loadedModules } from '../../../tools/testing/loaded-modules';

const TENSOR_PACKAGE = /[\\/]node_modules[\\/](@tensorflow[\\/]|onnxruntime)/;

describe('@spert/checkpoint is tensor-free', () => {
  it('loads no @tensorflow/* or onnxruntime module', () => {
    const modules = loadedModules(path.join(__dirname, 'index.ts'));
    expect(modules.some((m) => m.endsWith(path.join('checkpoint', 'src', 'registry.ts')))).toBe(true);
    expect(modules.filter((m) => TENSOR_PACKAGE.test(m))).toEqual([]);
  });

  it('detects tensor modules where they are loaded (the check is not vacuous)', () => {
    const modules = loadedModules(path.join(__dirname, '../../encoder/src/index.ts'));
    expect(modules.some((m) => TENSOR_PACKAGE.test(m))).toBe(true);
  });

  it('names no @tensorflow/* or onnxruntime package in its dependency closure', () => {
    const closure = [...dependencyClosure(path.join(__dirname, '..'))];
    expect(closure).toEqual(expect.arrayContaining(['@spert/core', '@huggingface/hub', 'fflate']));
    expect(closure.filter((n) => n.startsWith('@tensorflow/') || n.startsWith('onnxruntime'))).toEqual([]);
  });
});
