import * as nodeFs from 'node:fs/promises';

/** The file-system calls this package makes; pass your own (e.g. an in-memory one) in tests. */
export interface FileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options: { force: true }): Promise<void>;
  stat(path: string): Promise<{ isDirectory(): boolean; isFile(): boolean }>;
}

/** Node's file system. */
export const nodeFileSystem: FileSystem = {
  readFile: (p, enc) => nodeFs.readFile(p, enc),
  writeFile: (p, data) => nodeFs.writeFile(p, data),
  rename: (a, b) => nodeFs.rename(a, b),
  mkdir: (p, o) => nodeFs.mkdir(p, o),
  rm: (p, o) => nodeFs.rm(p, o),
  stat: (p) => nodeFs.stat(p),
};
