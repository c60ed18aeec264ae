/** A stderr stand-in that collects what is written (not a terminal: no progress bar). */
export function sink(): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY: false, write: (c: string) => ((s.text += c), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}
