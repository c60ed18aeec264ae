import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { useBackend } from './use-backend';
import { formatBackendReport } from './backend-report';

describe('useBackend', () => {
  it('starts the cpu backend', async () => {
    const r = await useBackend('cpu');
    expect(r.name).toBe('cpu');
    expect(r.threads).toBe(1);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('starts the wasm backend with the kernel fixes installed', async () => {
    const r = await useBackend('wasm');
    expect(r.tfBackend).toBe('wasm');
    expect(r.threads).toBe(1);
    expect(typeof r.simd).toBe('boolean');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(r.kernelFixes.join('\n')).toMatch(/UnsortedSegmentSum/);
    expect(r.kernelFixes.join('\n')).toMatch(/BatchMatMul/);
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it('says how to install tfjs-node when "tensorflow" is asked for and missing', async () => {
    await expect(useBackend('tensorflow')).rejects.toThrow(/npm i @tensorflow\/tfjs-node`.*network access/s);
  });

  it('says how to install tfjs-node-gpu when "tensorflow-gpu" is asked for and missing', async () => {
    await expect(useBackend('tensorflow-gpu')).rejects.toThrow(/npm i @tensorflow\/tfjs-node-gpu/);
  });

  it('auto falls back to wasm when no native backend is installed', async () => {
    const r = await useBackend('auto');
    expect(r.name).toBe('wasm');
  });

  it('auto prefers an installed native backend, in the order gpu then cpu build', async () => {
    const asked: string[] = [];
    // Stands in for @tensorflow/tfjs-node, whose import registers a backend named "tensorflow".
    const importModule = async (specifier: string): Promise<unknown> => {
      asked.push(specifier);
      if (specifier !== '@tensorflow/tfjs-node') throw new Error(`Cannot find module '${specifier}'`);
      tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
      return {};
    };
    try {
      const r = await useBackend('auto', { importModule });
      expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
      expect(r.name).toBe('tensorflow');
      expect(r.threads).toBeNull();
      expect(tf.getBackend()).toBe('tensorflow');
    } finally {
      tf.removeBackend('tensorflow');
      await useBackend('cpu');
    }
  });

  it('rejects an unknown name, listing the valid ones', async () => {
    await expect(useBackend('webgl' as never)).rejects.toThrow(/unknown backend "webgl".*wasm, cpu/);
  });

  it('formats a one-line start-up report by default and lists the kernel fixes only when verbose', async () => {
    const report = await useBackend('wasm');
    const text = formatBackendReport(report);
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^backend: wasm \(tfjs wasm, @tensorflow\/tfjs-core 4\.22\.0\); threads: 1, SIMD: (yes|no); matMul\/AdamW threads: \d+, heap: shared, matMul kernel: (fma \(relaxed SIMD\)|plain SIMD \(no FMA\)); \d+ kernel fix\(es\) active$/);
    expect(report.matMulKernel).toBe(process.env.SPERT_WASM_FMA === '1' ? 'fma' : 'plain');
    expect(text).toContain(`; ${report.kernelFixes.length} kernel fix(es) active`);
    const verbose = formatBackendReport(report, { verbose: true });
    expect(verbose.split('\n')[0]).toBe(text);
    expect(verbose.split('\n')).toHaveLength(2 + report.kernelFixes.length);
    expect(verbose).toMatch(/kernel fixes:\n {2}- .*\n {2}- wasm heap: a shared WebAssembly.Memory/);
    expect(verbose).toMatch(/\n {2}- UnsortedSegmentSum/);
  });
});
