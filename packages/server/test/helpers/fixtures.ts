// Server, endpoint and RTP parameters for the tests.
import type { RtpCapabilities } from '@x/protocol';
import { rtpParametersToMessage } from '@x/protocol';

export { audioParameters, videoParameters } from '@x/testkit';

import type { WebSocketEndpointOptions } from '../../src/index.js';
import {
  type Room,
  roomFromUrl,
  Server,
  type ServerOptions,
  WebSocketEndpoint,
} from '../../src/index.js';

export interface TestServer {
  server: Server;
  endpoint: WebSocketEndpoint;
  url(roomId: string): string;
  close(): Promise<void>;
}

export async function startServer(
  options: ServerOptions = {},
  signaling: Partial<Omit<WebSocketEndpointOptions, 'server'>> = {},
): Promise<TestServer> {
  const server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 42000,
    rtcMaxPort: 42999,
    ...options,
  });
  const endpoint = await WebSocketEndpoint.listen({
    server,
    port: 0,
    host: '127.0.0.1',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    // Most tests are about something else than access control: they say 'none' out loud.
    auth: 'none',
    ...signaling,
  });
  return {
    server,
    endpoint,
    url: (roomId) => `ws://127.0.0.1:${endpoint.port}/?roomId=${encodeURIComponent(roomId)}`,
    async close() {
      await endpoint.close();
      server.close();
    },
  };
}

/** A room's capabilities, as a client that supports everything would send them. */
export function capabilitiesOf(room: Room): RtpCapabilities {
  return room.rtpCapabilities;
}

export const message = rtpParametersToMessage;

export const FAKE_DTLS = {
  role: 2,
  fingerprints: [
    {
      algorithm: 'sha-256',
      value:
        '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:1A:C7:1E:2D:62:92:8C:94:C4:9A:38:7F:58:7E:18:7C',
    },
  ],
};
