// path-browserify ships no types: it is node's posix path module, ported.
declare module 'path-browserify' {
  const posix: typeof import('node:path').posix;
  export default posix;
}
