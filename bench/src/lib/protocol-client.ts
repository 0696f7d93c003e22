// A bare @x protocol client: protobuf frames over a WebSocket, no @x/client
// (as packages/server/test/helpers/ProtocolClient.ts, trimmed): load
// generators use it to keep client-side work to the wire minimum.
import {
  decodeServerMessage,
  encodeClientMessage,
  PROTOCOL_VERSION,
  pb,
  type RtpCapabilities,
  type RtpParameters,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
  rtpParametersToMessage,
} from '@x/protocol';
import WebSocket from 'ws';

type Body = Omit<pb.Request.$Properties, 'id'>;

export class ProtocolClient {
  /** Called with every notification from the server. */
  onNotification: (n: pb.ServerNotification) => void = () => undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (response: pb.Response) => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = decodeServerMessage(data);
      if (message.response) {
        this.pending.get(message.response.id)?.(message.response);
        this.pending.delete(message.response.id);
      } else if (message.notification) {
        this.onNotification(message.notification);
      }
    });
  }

  static async connect(url: string): Promise<ProtocolClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ProtocolClient(socket);
  }

  /** Sends a request; resolves with its ok response, rejects with the server's error. */
  async request(body: Body): Promise<pb.Response> {
    const id = this.nextId++;
    const response = await new Promise<pb.Response>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to ${Object.keys(body)[0]} ${id}`)),
        30_000,
      );
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(encodeClientMessage({ request: { id, ...body } }));
    });
    if (response.error) {
      throw new Error(`${pb.ErrorCode[response.error.code]}: ${response.error.message}`);
    }
    return response;
  }

  notify(body: pb.ClientNotification.$Properties): void {
    this.socket.send(encodeClientMessage({ notification: body }));
  }

  /** queryRoom: the room's capabilities. */
  async queryRoom(): Promise<RtpCapabilities> {
    const r = await this.request({ queryRoom: {} });
    return rtpCapabilitiesFromMessage(r.queryRoom!.rtpCapabilities!);
  }

  /** join with the given capabilities (the room's: as a browser's would mostly be). */
  async join(peerName: string, caps: RtpCapabilities): Promise<pb.JoinResponse> {
    const r = await this.request({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName,
        rtpCapabilities: rtpCapabilitiesToMessage(caps),
      },
    });
    return r.join as pb.JoinResponse;
  }

  /** A send transport (WebRTC, not connected: producers exist on it all the same). */
  async sendTransport(id: number): Promise<void> {
    await this.request({
      createTransport: { id, direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND },
    });
  }

  async produce(id: number, transportId: number, kind: 'audio' | 'video', rtp: RtpParameters) {
    await this.request({
      createProducer: {
        id,
        transportId,
        kind: kind === 'audio' ? pb.MediaKind.MEDIA_KIND_AUDIO : pb.MediaKind.MEDIA_KIND_VIDEO,
        rtpParameters: rtpParametersToMessage(rtp),
      },
    });
  }

  /** Leaves the room (a lost connection would keep the peer for its grace period) and closes. */
  close(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.notify({ leave: {} });
    this.socket.close(1000);
  }
}
