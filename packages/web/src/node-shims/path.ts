// The browser bundle's node:path: @spert/tokenizer's loadTokenizer joins file names onto the model
// folder's path, which must follow node's posix rules exactly (path-browserify is that port).
import posix from 'path-browserify';

export const { join, dirname, basename, extname, normalize, isAbsolute, relative, resolve, sep } = posix;
