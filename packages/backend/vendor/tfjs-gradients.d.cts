import type { GradConfig } from '@tensorflow/tfjs-core';

/** Every gradient config @tensorflow/tfjs-core defines (see scripts/bundle-tfjs-gradients.mjs). */
export declare const gradConfigs: GradConfig[];
