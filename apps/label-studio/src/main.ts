#!/usr/bin/env node
// spert-label-studio entry point: everything testable lives in cli.ts.
import { workerModuleBeside } from '@spert/batch';
import { runCliMain } from '@spert/core';
import { runLabelStudio } from './cli';

runCliMain('spert-label-studio', async () => {
  await runLabelStudio({ argv: process.argv, workerFile: workerModuleBeside('train-worker') });
});
