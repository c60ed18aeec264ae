// Checkpoint loading and saving go through @spert/core's file-system port and its one atomic write.
import { nodeFileSystem, type FileSystem } from '@spert/core';

/** The part of @spert/core's `FileSystem` port that the checkpoint functions call (pass your own in tests). */
export type CheckpointFs = Pick<FileSystem, 'readBytes' | 'writeFile' | 'rename' | 'mkdir' | 'rm' | 'exists'> & Partial<Pick<FileSystem, 'fsync'>>;

/** The checkpoint functions' default port: @spert/core's `nodeFileSystem`. */
export const nodeFs: CheckpointFs = nodeFileSystem;
