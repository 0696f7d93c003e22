import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  SctpParameters,
  TransportDirection,
  TransportTuple,
} from '@x/protocol';
import { SfuError } from '../util/errors.js';
import type { RoomMember } from './RoomMember.js';
import { Transport, type TransportEvents, type TransportOwnerSide } from './Transport.js';

/** ICE state of a server transport. */
export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';
/** DTLS state of a server transport. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Events of a {@link WebRtcTransport}. */
export type WebRtcTransportEvents = TransportEvents & {
  /** The ICE state changed. */
  icestatechange: [state: IceState];
  /** The selected ICE tuple changed (the client's address, or its network, changed). */
  iceselectedtuplechange: [tuple: TransportTuple];
  /** The DTLS state changed. */
  dtlsstatechange: [state: DtlsState];
};

/** A WebRTC transport of a peer (ICE + DTLS), created through the protocol (mediasoup v2's WebRtcTransport). */
export class WebRtcTransport extends Transport<WebRtcTransportEvents> {
  /** The mediasoup WebRTC transport underneath. */
  declare readonly engine: ms.WebRtcTransport;
  #connected = false;

  /** @internal Created by its peer. */
  constructor(options: {
    id: number;
    direction: TransportDirection;
    peer: RoomMember;
    engine: ms.WebRtcTransport;
    router: ms.Router;
    appData: AppData | undefined;
    owner: TransportOwnerSide;
  }) {
    super({ ...options, type: 'webrtc' });
    this.engine.on('icestatechange', (state: IceState) => this.emitBoth('icestatechange', state));
    this.engine.on('iceselectedtuplechange', (tuple: ms.TransportTuple) =>
      this.emitBoth('iceselectedtuplechange', tuple as TransportTuple),
    );
    this.engine.on('dtlsstatechange', (state: DtlsState) =>
      this.emitBoth('dtlsstatechange', state),
    );
  }

  /** ICE role of the server: always 'controlled' (ICE Lite). */
  get iceRole(): 'controlled' {
    return 'controlled';
  }

  /** ICE parameters of the server. */
  get iceLocalParameters(): IceParameters {
    return this.engine.iceParameters;
  }

  /** ICE candidates of the server. */
  get iceLocalCandidates(): Omit<IceCandidate, 'address'>[] {
    return this.engine.iceCandidates as Omit<IceCandidate, 'address'>[];
  }

  /** ICE state. */
  get iceState(): IceState {
    return this.engine.iceState as IceState;
  }

  /** The selected ICE tuple, once connected. */
  get iceSelectedTuple(): TransportTuple | undefined {
    return this.engine.iceSelectedTuple as TransportTuple | undefined;
  }

  /** DTLS parameters of the server. */
  get dtlsLocalParameters(): DtlsParameters {
    return this.engine.dtlsParameters as DtlsParameters;
  }

  /** DTLS state. */
  get dtlsState(): DtlsState {
    return this.engine.dtlsState as DtlsState;
  }

  /** The client's DTLS certificate (PEM), once connected. */
  get dtlsRemoteCert(): string | undefined {
    return this.engine.dtlsRemoteCert;
  }

  /** SCTP parameters, when SCTP is enabled. */
  get sctpParameters(): SctpParameters | undefined {
    return this.engine.sctpParameters;
  }

  /** Limits the bitrate the client may send on it (a send transport), in bits per second. */
  async setMaxBitrate(bitrate: number): Promise<void> {
    this.assertOpen('setMaxBitrate');
    await this.engine.setMaxIncomingBitrate(bitrate);
  }

  /** @internal Connects it with the client's DTLS parameters; a transport connects once. */
  async connectOnce(dtlsParameters: DtlsParameters): Promise<void> {
    this.assertOpen('connect');
    if (this.#connected)
      throw new SfuError('INVALID_STATE', `transport ${this.id} is already connected`);
    this.#connected = true;
    try {
      await this.engine.connect({ dtlsParameters: dtlsParameters as ms.DtlsParameters });
    } catch (error) {
      this.#connected = false;
      throw error;
    }
  }

  /** @internal Restarts ICE: new ICE parameters for the client. */
  async restartIce(): Promise<IceParameters> {
    this.assertOpen('restartIce');
    return this.engine.restartIce();
  }
}
