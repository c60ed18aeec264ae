// Test helper: a writable that records what is written; `tty` makes it claim to be a terminal
// (with the cursor methods cli-progress calls), so progress output can be checked in both modes.
import { Writable } from 'node:stream';

/** A recording stream, a terminal or not. */
export function captureStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty });
  if (tty) Object.assign(w, { columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, text: () => out };
}
