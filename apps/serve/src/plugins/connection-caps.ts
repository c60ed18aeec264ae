import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../types';

/** Caps open connections, altogether and per client address; more are closed before any byte is read. */
export const connectionCaps = fp<{ connections: ConnectionLimits }>(
  async (app, { connections }) => {
    if (connections.maxConnections > 0) app.server.maxConnections = connections.maxConnections;
    if (connections.maxConnectionsPerIp > 0) capConnectionsPerAddress(app.server, connections.maxConnectionsPerIp);
  },
  { name: 'spert-serve/connection-caps', fastify: '5.x' },
);

// One client address may hold at most `max` sockets; the ones above are closed before any byte is read.
function capConnectionsPerAddress(server: FastifyInstance['server'], max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
