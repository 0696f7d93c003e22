// Helper process: an @x server (one mediasoup worker) with its WebSocket
// endpoint on 127.0.0.1; clients reach room X at ws://127.0.0.1:<port>/?roomId=X.
// Usage: x-server.ts <rtcMinPort> <rtcMaxPort>
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import { watchChannel } from '../lib/census.js';
import { serve } from '../lib/child.js';

const [minPort, maxPort] = process.argv.slice(2).map(Number);

const server = await Server.create({
  numWorkers: 1,
  logLevel: 'error',
  rtcIPv4: '127.0.0.1',
  rtcIPv6: false,
  rtcMinPort: minPort,
  rtcMaxPort: maxPort,
  // A storm of 50 peers toggling as fast as they can exceeds the default
  // 50 messages per second and connection: the limit would measure itself.
  limits: { messagesPerSecond: 1_000_000, peersPerRoom: 1000 },
});
const channel = watchChannel(server.workers[0]!);
const endpoint = await WebSocketEndpoint.listen({
  server,
  auth: 'none',
  port: 0,
  host: '127.0.0.1',
  selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
});

serve(
  {
    info: () => ({
      port: endpoint.port,
      pid: process.pid,
      workerPids: server.workers.map((w) => w.pid),
    }),
    census: () => channel.take(),
  },
  async () => {
    await endpoint.close();
    server.close();
  },
);
