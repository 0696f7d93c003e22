// A TCP hop between a client and a server whose path can die silently: what
// a network change or a NAT that forgot its binding does to a connection
// (nothing arrives, nothing is refused, no FIN, no RST), which a closed
// socket does not show.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy on 127.0.0.1 (see {@link tcpProxy}). */
export interface TcpProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Connections forwarded so far. */
  readonly connections: number;
  /**
   * Makes the path of every open connection silent: their bytes are dropped
   * both ways and the sockets stay open. New connections pass.
   */
  blackhole(): void;
  /** Sends new connections to another target (a load balancer that saw its backend die). */
  retarget(target: { host: string; port: number }): void;
  /** Closes the proxy and every connection. */
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to `target` (host, port). */
export async function tcpProxy(first: { host: string; port: number }): Promise<TcpProxy> {
  let target = first;
  const open = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = tcpConnect(target.port, target.host);
    const pair = { client, upstream, silent: false };
    open.add(pair);
    client.on('data', (data) => {
      if (!pair.silent) upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (!pair.silent) client.write(data);
    });
    const end = () => {
      // A silent path says nothing of its end either (close() ends it).
      if (pair.silent) return;
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tcpProxy: no port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    blackhole() {
      for (const pair of open) pair.silent = true;
    },
    retarget(next) {
      target = next;
    },
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
