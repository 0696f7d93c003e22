// The demo's web page for an x-server: the page is the app's, not the
// server's, so this small host plays the app — it serves the demo's built
// page, mints access tokens with the server's secret (/api/token), and
// passes the page's WebSocket (/ws) through to the server untouched.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccessToken } from '@x/server';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '../../../apps/demo/dist/web');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** The host: its origin, and close(). */
export interface DemoHost {
  origin: string;
  close(): Promise<void>;
}

export async function startDemoHost(serverPort: number, apiSecret: string): Promise<DemoHost> {
  if (!existsSync(join(WEB, 'index.html')))
    throw new Error(`the demo's page is not built (${WEB}): build @x/demo first`);
  const http: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/api/token') {
      const room = url.searchParams.get('room') ?? '';
      const peer = url.searchParams.get('peer') ?? '';
      void createAccessToken({ secret: apiSecret, room, peer }).then((token) =>
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token })),
      );
      return;
    }
    const path = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = join(WEB, path);
    if (!file.startsWith(WEB) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  http.on('upgrade', (request, socket, head) => {
    const upstream = connect(serverPort, '127.0.0.1', () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
    upstream.on('close', end);
    socket.on('close', end);
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        http.closeAllConnections();
        http.close(() => done());
      }),
  };
}
