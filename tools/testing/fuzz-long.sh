#!/usr/bin/env sh
# Longer fuzzing than `npm test` runs: every fuzz target with SPERT_FUZZ_RUNS inputs (default
# 20000) and a random seed (or SPERT_FUZZ_SEED), one package after the other. The seed is printed
# first, and fast-check prints it again with the shrunk input when something fails; replay with
#   SPERT_FUZZ_SEED=<seed> SPERT_FUZZ_RUNS=<n> npx jest -c packages/<pkg>/jest.config.cjs packages/<pkg>/src/fuzz.spec.ts
# SPERT_FUZZ_LAST=<file> keeps the input being read, for a hang (which cannot be interrupted).
set -e
cd "$(dirname "$0")/../.."
export SPERT_FUZZ_RUNS="${SPERT_FUZZ_RUNS:-20000}"
export SPERT_FUZZ_SEED="${SPERT_FUZZ_SEED:-$(node -e 'console.log(Math.floor(Math.random() * 0x7fffffff))')}"
echo "fuzzing: $SPERT_FUZZ_RUNS inputs per target, seed $SPERT_FUZZ_SEED"
for pkg in checkpoint tokenizer core onnx annotations; do
  npx jest -c "packages/$pkg/jest.config.cjs" --testTimeout=86400000 "packages/$pkg/src/fuzz.spec.ts"
done
