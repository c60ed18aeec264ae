// The browser bundle's node:path: our packages use it for file names (loadTokenizer joins them onto
// the model folder's path), which must follow node's posix rules exactly (path-browserify is that port).
import posix from 'path-browserify';

export const { join, dirname, basename, extname, normalize, isAbsolute, relative, resolve, parse, format, sep, delimiter } = posix;
export { posix };
