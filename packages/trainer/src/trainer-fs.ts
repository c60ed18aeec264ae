// The trainer's files (checkpoints, logs, weights) go through @spert/core's file-system port and
// its one atomic write.
import { nodeFileSystem, type FileSystem } from '@spert/core';

/** The part of @spert/core's `FileSystem` port the trainer calls; pass your own to test failures or to redirect writes. */
export type TrainerFs = Pick<FileSystem, 'mkdir' | 'writeFile' | 'appendFile' | 'readBytes' | 'readdir' | 'rename' | 'rm' | 'exists'> & Partial<Pick<FileSystem, 'fsync'>>;

/** The trainer's default port: @spert/core's `nodeFileSystem`. */
export const nodeFs: TrainerFs = nodeFileSystem;
