import type { Document, TypesSchema } from '@spert/core';
import { escapeHtml, renderExamplesHtml } from './html';

const types: TypesSchema = {
  entities: [
    { key: 'P', index: 1, short: 'Peop', verbose: 'People' },
    { key: 'L', index: 2, short: 'Loc', verbose: 'Location' },
  ],
  relations: [{ key: 'Live', index: 1, short: 'Live', verbose: 'Live in', symmetric: false }],
};

describe('renderExamplesHtml', () => {
  it('escapes text and marks TP, FP and FN entities and relations', () => {
    const tokens = ['<script>', 'lives', 'in', 'A&B', '"x"'];
    const gold: Document[] = [{ tokens, entities: [{ type: 'P', start: 0, end: 1 }, { type: 'L', start: 3, end: 4 }], relations: [{ type: 'Live', head: 0, tail: 1 }] }];
    const predicted: Document[] = [{ tokens, entities: [{ type: 'P', start: 0, end: 1 }, { type: 'L', start: 4, end: 5 }], relations: [{ type: 'Live', head: 0, tail: 1 }] }];
    const html = renderExamplesHtml({ gold, predicted, types, title: 'T <1>' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('A&amp;B');
    expect(html).toContain('&quot;x&quot;');
    expect(html).toContain('<title>T &lt;1&gt;</title>');
    expect(html.match(/class="ent tp"/g)).toHaveLength(2); // the legend's and the person's
    expect(html.match(/class="ent fp"/g)).toHaveLength(2); // legend + the wrong location
    expect(html.match(/class="ent fn"/g)).toHaveLength(2); // legend + the missed location
    expect(html.match(/<li class="fp">/g)).toHaveLength(1);
    expect(html.match(/<li class="fn">/g)).toHaveLength(1);
    expect(html).not.toMatch(/<(link|img|iframe)|src=|href=/); // self-contained
  });

  it('escapes all five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
