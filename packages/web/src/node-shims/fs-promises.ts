// The browser bundle's stand-in for node:fs/promises. @spert/tokenizer's loadTokenizer imports
// readFile for its default file reader; the browser build always passes its own reader (fetch +
// Cache API), so these are never reached there — and say so loudly if something calls them.
function unavailable(name: string): never {
  throw new Error(`node:fs/promises ${name}() is not available in the browser build of @spert/web; pass a reader (readTextFile / fetch) instead`);
}

/** Throws: there is no file system in the browser. */
export async function readFile(): Promise<never> {
  return unavailable('readFile');
}

/** Throws: there is no file system in the browser. */
export async function writeFile(): Promise<never> {
  return unavailable('writeFile');
}
