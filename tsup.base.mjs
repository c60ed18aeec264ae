// Shared tsup settings: every package ships ESM + CJS + declarations from src/index.ts.
import { defineConfig } from 'tsup';

export const packageConfig = (overrides = {}) =>
  defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
