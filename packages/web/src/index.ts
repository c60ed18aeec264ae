// @spert/web: the browser runtime (also in the bundle, src/browser.ts) and, for Node, the tools
// that build the bundle and lay out a static folder.
export * from './browser';
export { buildBrowserBundle, type BrowserBundle } from './bundle';
export { renderPage, BROWSER_PAGE_CSP, type PageOptions } from './demo-page';
export { writeWebFolder, locateBrowserBundle, BUILT_BUNDLE_DIR, type WriteWebFolderOptions, type WebFolder } from './static-folder';
