import type { types as ms } from '@x/mediasoup';
import type { AppData, TransportDirection, TransportTuple } from '@x/protocol';
import type { RoomMember } from './RoomMember.js';
import { Transport, type TransportEvents, type TransportOwnerSide } from './Transport.js';

/** Events of a {@link PlainRtpTransport}. */
export type PlainRtpTransportEvents = TransportEvents & {
  /** The remote address was learned from the first packet (comedia). */
  tuple: [tuple: TransportTuple];
};

/**
 * A plain RTP transport (no ICE, no DTLS): for RtpStreamers, RTP ingest and
 * endpoints that are not browsers (mediasoup v2's PlainRtpTransport).
 */
export class PlainRtpTransport extends Transport<PlainRtpTransportEvents> {
  /** The mediasoup plain transport underneath. */
  declare readonly engine: ms.PlainTransport;

  /** @internal */
  constructor(options: {
    id: number;
    direction: TransportDirection;
    peer: RoomMember | undefined;
    engine: ms.PlainTransport;
    router: ms.Router;
    appData: AppData | undefined;
    owner: TransportOwnerSide;
  }) {
    super({ ...options, type: 'plain' });
    this.engine.on('tuple', (tuple: ms.TransportTuple) =>
      this.emitBoth('tuple', tuple as TransportTuple),
    );
  }

  /** Local and remote address of RTP (and RTCP when multiplexed). */
  get tuple(): TransportTuple {
    return this.engine.tuple as TransportTuple;
  }

  /** Local and remote address of RTCP when it is not multiplexed. */
  get rtcpTuple(): TransportTuple | undefined {
    return this.engine.rtcpTuple as TransportTuple | undefined;
  }

  /** Local IP. */
  get localIP(): string {
    return this.engine.tuple.localIp;
  }

  /** Local RTP port. */
  get localPort(): number {
    return this.engine.tuple.localPort;
  }

  /** Local RTCP port: the RTP port when RTCP is multiplexed. */
  get localRtcpPort(): number {
    return this.engine.rtcpTuple?.localPort ?? this.engine.tuple.localPort;
  }

  /** Sets where RTP (and RTCP) go: `rtcpPort` only when RTCP is not multiplexed. */
  async setRemoteParameters(remote: {
    ip: string;
    port: number;
    rtcpPort?: number;
  }): Promise<void> {
    this.assertOpen('setRemoteParameters');
    await this.engine.connect({ ip: remote.ip, port: remote.port, rtcpPort: remote.rtcpPort });
  }
}
