import { BROWSER_PAGE_CSP, renderPage } from './demo-page';

describe('renderPage', () => {
  it('offers the browser switch only when told where the browser build is, and keeps its config inert', () => {
    expect(renderPage()).toContain('"browser":null');
    const page = renderPage({ browser: { bundle: 'web/spert-web.js', model: '</script><script>alert(1)</script>' } });
    // The URLs are JSON data inside one <script type="application/json">: no "<" can end it early.
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).toContain('\\u003c/script>');
    expect(() => renderPage({ serverless: true })).toThrow(/serverless page needs the browser build/);
    expect(BROWSER_PAGE_CSP).toMatch(/script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'/);
  });
});
