// Test helper: a strict little XML checker (balanced tags, quoted attributes, escaped text), enough
// to prove that the SVG we write parses; no XML parser is installed in this workspace.

/** Throws a message naming the offset when `xml` is not well-formed; returns the element names seen. */
export function assertWellFormedXml(xml: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(text) || text.includes('>')) throw new Error(`unescaped text at ${i}: ${text.slice(0, 40)}`);
    if (stack.length === 0 && text.trim()) throw new Error(`text outside the root element at ${i}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> at ${lt} closes <${open}>`);
    } else {
      if (stack.length === 0 && ++roots > 1) throw new Error(`second root element <${name}> at ${lt}`);
      seen.push(name);
      if (!selfClose) stack.push(name);
    }
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`unclosed elements: ${stack.join(', ')}`);
  if (roots !== 1) throw new Error('no root element');
  return seen;
}
