import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RulePredictor } from '../test/rule-predictor';
import { buildApp, type ServeApp } from './app';
import type { ConnectionLimits } from './types';

// Slow clients on 127.0.0.1: headers or a body trickled a byte at a time, and sockets that say
// nothing, must be cut off by the timeouts while a normal client is still served.

interface Slow {
  socket: Socket;
  /** Milliseconds from the first byte to the close; undefined while open. */
  closedAfter?: number;
  received: string;
}

/** Opens a socket that writes `bytes` one at a time, `everyMs` apart, from `start` on (after `prefix` at once). */
function trickle(port: number, prefix: string, bytes: string, everyMs: number): Slow {
  const socket = connect(port, '127.0.0.1');
  const slow: Slow = { socket, received: '' };
  const started = Date.now();
  let i = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  socket.on('connect', () => {
    if (prefix) socket.write(prefix);
    if (bytes.length > 0) {
      timer = setInterval(() => {
        if (i < bytes.length && !socket.destroyed) socket.write(bytes[i++] as string);
      }, everyMs);
    }
  });
  socket.on('data', (d: Buffer) => (slow.received += d.toString()));
  // The server may reset the socket under a write: that is the point, not a failure.
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(timer);
    slow.closedAfter = Date.now() - started;
  });
  return slow;
}

async function start(connections: Partial<ConnectionLimits>, predictDelayMs = 0): Promise<{ serve: ServeApp; port: number; base: string }> {
  const serve = await buildApp({ predictor: new RulePredictor(predictDelayMs), connections, operations: { requestTimeoutMs: 5000 } });
  await serve.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = serve.app.server.address() as AddressInfo;
  return { serve, port, base: `http://127.0.0.1:${port}` };
}

async function waitClosed(sockets: Slow[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (sockets.some((s) => s.closedAfter === undefined)) {
    if (Date.now() > end) throw new Error(`${sockets.filter((s) => s.closedAfter === undefined).length} of ${sockets.length} slow sockets still open after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const predict = (base: string) =>
  fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ documents: [{ text: 'Ann met Bob' }] }) });

describe('spert-serve against slow clients (real sockets on 127.0.0.1)', () => {
  let started: { serve: ServeApp; port: number; base: string } | undefined;
  const sockets: Slow[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.socket.destroy();
    await started?.serve.app.close();
    started = undefined;
  });

  it('cuts off trickled headers, trickled bodies and silent sockets within their timeouts while a normal client is served', async () => {
    const limits = { headersTimeoutMs: 1000, receiveTimeoutMs: 2000, idleTimeoutMs: 5000, keepAliveTimeoutMs: 500 };
    started = await start(limits);
    const { port, base } = started;
    const body = JSON.stringify({ documents: [{ text: 'Ann met Bob in Paris and nothing else happened' }] });
    const headers = `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // Each takes over 5 s at a byte per 50 ms: every one is still writing when its bound passes.
    const headerTricklers = Array.from({ length: 8 }, () => trickle(port, '', headers, 50));
    const bodyTricklers = Array.from({ length: 8 }, () => trickle(port, headers, body.repeat(2), 50));
    const silent = Array.from({ length: 4 }, () => trickle(port, '', '', 0));
    sockets.push(...headerTricklers, ...bodyTricklers, ...silent);

    // Meanwhile, an ordinary client is served, while the body tricklers at least still hold their sockets.
    const first = await predict(base);
    expect(first.status).toBe(200);
    expect(bodyTricklers.every((s) => s.closedAfter === undefined)).toBe(true);
    for (let k = 0; k < 3; k++) {
      expect((await fetch(`${base}/health`, { headers: { connection: 'close' } })).status).toBe(200);
      const res = await predict(base);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { documents: unknown[] }).documents).toHaveLength(1);
    }

    // Bound: the timeout, plus node's check interval (a quarter of the shortest timeout), plus slack for a loaded machine.
    const slack = 2500;
    await waitClosed(sockets, limits.receiveTimeoutMs + slack + 1000);
    for (const s of headerTricklers) {
      expect(s.closedAfter).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 50);
      expect(s.closedAfter).toBeLessThan(limits.headersTimeoutMs + slack);
      expect(s.received).toMatch(/^HTTP\/1\.1 408 /);
    }
    for (const s of bodyTricklers) {
      expect(s.closedAfter).toBeGreaterThanOrEqual(limits.receiveTimeoutMs - 50);
      expect(s.closedAfter).toBeLessThan(limits.receiveTimeoutMs + slack);
      expect(s.received).toMatch(/^HTTP\/1\.1 408 /);
    }
    for (const s of silent) expect(s.closedAfter).toBeLessThan(limits.headersTimeoutMs + slack);
    expect((await predict(base)).status).toBe(200);
  }, 30_000);

  it('closes a silent socket after --idle-timeout-ms, but not one whose client waits longer than that for a slow answer', async () => {
    // No header or request bound here: the idle timeout alone must close the silent socket.
    started = await start({ headersTimeoutMs: 0, receiveTimeoutMs: 0, idleTimeoutMs: 400 }, 1200);
    const silent = trickle(started.port, '', '', 0);
    sockets.push(silent);
    const res = await predict(started.base);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { documents: unknown[] }).documents).toHaveLength(1);
    await waitClosed([silent], 3000);
    expect(silent.closedAfter).toBeGreaterThanOrEqual(350);
  });

  it('closes an idle keep-alive connection after --keep-alive-timeout-ms', async () => {
    started = await start({ keepAliveTimeoutMs: 300, headersTimeoutMs: 250, receiveTimeoutMs: 1000 });
    const s = trickle(started.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '', 0);
    sockets.push(s);
    await waitClosed([s], 3000);
    expect(s.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(s.received).toMatch(/keep-alive: timeout=\d/i);
  });

  it('with --max-connections-per-ip, sockets above the cap are closed at once, the others kept', async () => {
    started = await start({ maxConnectionsPerIp: 3, headersTimeoutMs: 5000, receiveTimeoutMs: 10_000 });
    const held = Array.from({ length: 3 }, () => trickle(started!.port, '', '', 0));
    sockets.push(...held);
    await new Promise((r) => setTimeout(r, 200));
    const extra = Array.from({ length: 2 }, () => trickle(started!.port, '', '', 0));
    sockets.push(...extra);
    await waitClosed(extra, 3000);
    expect(held.every((s) => s.closedAfter === undefined)).toBe(true);
    // Our own client is the same address: refused while the three are held, served once they go.
    await expect(fetch(`${started.base}/health`)).rejects.toThrow();
    for (const s of held) s.socket.destroy();
    await waitClosed(held, 3000);
    expect((await fetch(`${started.base}/health`, { headers: { connection: 'close' } })).status).toBe(200);
  });

  it('with --max-connections, sockets above the cap are closed at once', async () => {
    started = await start({ maxConnections: 2, headersTimeoutMs: 5000, receiveTimeoutMs: 10_000 });
    const held = Array.from({ length: 2 }, () => trickle(started!.port, '', '', 0));
    sockets.push(...held);
    await new Promise((r) => setTimeout(r, 200));
    const extra = trickle(started.port, '', '', 0);
    sockets.push(extra);
    await waitClosed([extra], 3000);
    expect(held.every((s) => s.closedAfter === undefined)).toBe(true);
  });

  it('refuses limits that contradict each other, naming them', async () => {
    await expect(buildApp({ predictor: new RulePredictor(0), connections: { headersTimeoutMs: 5000, receiveTimeoutMs: 1000 } })).rejects.toThrow('connections.headersTimeoutMs (5000) exceeds receiveTimeoutMs (1000)');
    await expect(buildApp({ predictor: new RulePredictor(0), connections: { maxConnections: 1.5 } })).rejects.toThrow('connections.maxConnections: expected an integer >= 0, got 1.5');
    await expect(buildApp({ predictor: new RulePredictor(0), connections: { keepAliveTimeoutMs: 0 } })).rejects.toThrow('connections.keepAliveTimeoutMs: expected at least 1 ms');
  });
});
