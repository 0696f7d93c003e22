import { isIP, isIPv6 } from 'node:net';
import type { Consumer } from '../media/Consumer.js';
import { reapingOnTimeout } from '../media/orphans.js';
import { PlainRtpTransport } from '../media/PlainRtpTransport.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import { plainListenIp } from '../ServerSettings.js';
import { SfuError } from '../util/errors.js';
import { randomId } from '../util/ids.js';
import { OutsideRouter } from './OutsideRouter.js';
import { RtpStreamer, type RtpStreamerOptions } from './RtpStreamer.js';

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

/**
 * mediasoup v2's `room.createRtpStreamer()`: a plain RTP transport aimed at
 * the destination and a consumer with no peer on it. If any step fails, what
 * was created is closed and the error re-thrown.
 */
export async function createRtpStreamer(
  room: Room,
  producer: Producer,
  options: RtpStreamerOptions,
): Promise<RtpStreamer> {
  if (producer.closed || producer.peer.room !== room)
    throw new SfuError('NOT_FOUND', 'Producer not found');
  checkOptions(options);
  const family = isIPv6(options.remoteIP) ? 6 : 4;
  const rtcpMux = options.rtcpMux ?? true;
  // Beside its producer; with a localIP, on the worker of the other ports (the producer is piped there).
  const router =
    options.localIP === undefined
      ? producer.transport.router
      : await OutsideRouter.of(room).router();
  const listenIp =
    options.localIP === undefined
      ? plainListenIp(room.context.settings, family)
      : { ip: options.localIP };
  const engine = await reapingOnTimeout(router, () =>
    router.createPlainTransport({ listenIp, rtcpMux, comedia: false }),
  );
  const transport = new PlainRtpTransport({
    id: randomId(),
    direction: 'recv',
    peer: undefined,
    engine,
    router,
    appData: undefined,
  });
  let consumer: Consumer | undefined;
  try {
    await transport.setRemoteParameters({
      ip: options.remoteIP,
      port: options.remotePort,
      rtcpPort: rtcpMux ? undefined : (options.remoteRtcpPort ?? options.remotePort + 1),
    });
    consumer = room.newConsumer(undefined, producer, {
      supported: true,
    });
    // Paused by the app (a local pause), so that consumer.resume() starts it.
    if (options.paused) consumer.pause();
    await consumer.enable(transport, { paused: false, started: true });
    transport.addConsumer(consumer);
  } catch (error) {
    consumer?.close();
    transport.close();
    throw error;
  }
  return new RtpStreamer({ consumer, transport, options });
}
