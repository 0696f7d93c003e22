import { isIP, isIPv6 } from 'node:net';
import type { types as ms } from '@x/mediasoup';
import { randomId } from '../util/ids.js';
import type { Consumer } from './Consumer.js';
import { PlainRtpTransport } from './PlainRtpTransport.js';
import type { Producer } from './Producer.js';
import { RtpStreamer, type RtpStreamerOptions } from './RtpStreamer.js';
import { createdInTime } from './workerRequests.js';

function checkOptions(options: RtpStreamerOptions): void {
  if (!options || typeof options.remoteIP !== 'string' || !isIP(options.remoteIP)) {
    throw new TypeError('RtpStreamerOptions.remoteIP must be an IP address');
  }
  const port = options.remotePort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError('RtpStreamerOptions.remotePort must be a port number');
  }
  if (options.localIP !== undefined && !isIP(options.localIP)) {
    throw new TypeError('RtpStreamerOptions.localIP must be an IP address');
  }
}

/** What a room gives the streamers it creates. */
export interface StreamerContext {
  /** The listen address of a plain transport of this IP family on the range's workers. */
  listenIp(family: 4 | 6): ms.TransportListenIp;
  /** The router outside the port range (for a `localIP`). */
  outsideRouter(): Promise<ms.Router>;
  /** A consumer of the producer with no peer, which the room's bookkeeping knows. */
  createConsumer(producer: Producer): Consumer;
}

/**
 * mediasoup v2's `room.createRtpStreamer()`: a plain RTP transport aimed at
 * the destination and a consumer with no peer on it. If any step fails, what
 * was created is closed and the error re-thrown.
 */
export async function createRtpStreamer(
  producer: Producer,
  options: RtpStreamerOptions,
  context: StreamerContext,
): Promise<RtpStreamer> {
  checkOptions(options);
  const family = isIPv6(options.remoteIP) ? 6 : 4;
  const rtcpMux = options.rtcpMux ?? true;
  // Beside its producer; with a localIP, on the worker of the other ports (the producer is piped there).
  const router =
    options.localIP === undefined ? producer.transport.router : await context.outsideRouter();
  const listenIp =
    options.localIP === undefined ? context.listenIp(family) : { ip: options.localIP };
  const engine = await createdInTime('transport', () =>
    router.createPlainTransport({ listenIp, rtcpMux, comedia: false }),
  );
  let consumer: Consumer | undefined;
  const transport = new PlainRtpTransport({
    id: randomId(),
    direction: 'recv',
    peer: undefined,
    engine,
    router,
    appData: undefined,
    owner: {
      producers: () => [],
      consumers: () => (consumer?.transport ? [consumer] : []),
      closing: () => undefined,
    },
  });
  try {
    await transport.setRemoteParameters({
      ip: options.remoteIP,
      port: options.remotePort,
      rtcpPort: rtcpMux ? undefined : (options.remoteRtcpPort ?? options.remotePort + 1),
    });
    consumer = context.createConsumer(producer);
    // Paused by the app (a local pause), so that consumer.resume() starts it.
    if (options.paused) consumer.pause();
    await consumer.enable(transport, { paused: false, started: true });
  } catch (error) {
    consumer?.close();
    transport.close();
    throw error;
  }
  return new RtpStreamer({ consumer, transport, options });
}
