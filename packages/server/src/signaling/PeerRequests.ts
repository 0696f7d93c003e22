import {
  type DtlsParameters,
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateToMessage,
  iceParametersToMessage,
  mediaKind,
  pb,
  plainRtpParametersFromMessage,
  profile as profileEnum,
  requiredRtpParametersFromMessage,
  rtpParametersToMessage,
  sctpParametersToMessage,
  sctpStreamParametersFromMessage,
  sctpStreamParametersToMessage,
  transportDirection,
} from '@x/protocol';
import { logger } from '@x/shared';
import type { PreferredProfile } from '../media/profiles.js';
import { SfuError, toSfuError } from '../util/errors.js';
import { appDataFrom } from './appData.js';
import { checkCount, checkRtpCounts } from './counts.js';
import { errorToMessage } from './errors.js';
import type { PeerClient } from './PeerClient.js';
import { queryRoomView } from './views.js';

const log = logger('x:server:PeerRequests');

type Body = NonNullable<pb.Request['body']>;
type Answer = Omit<pb.Response.$Properties, 'id'>;
type Handler<K extends Body> = (
  client: PeerClient,
  request: NonNullable<pb.Request[K]>,
) => Promise<Answer>;

/**
 * Handles a request of a joined peer's client and resolves with the response
 * to send back: the request is checked and converted to domain terms, the
 * peer acts, its result is converted back. Never rejects: a failure is an
 * error response with its code.
 */
export async function handlePeerRequest(
  client: PeerClient,
  request: pb.Request,
): Promise<pb.Response> {
  const { id } = request;
  const { peer } = client;
  try {
    if (peer.closed) throw new SfuError('INVALID_STATE', `peer ${peer.name} is closed`);
    const body = request.body;
    const handler = body ? (HANDLERS[body] as Handler<typeof body> | undefined) : undefined;
    if (!body || !handler)
      throw new SfuError('BAD_REQUEST', 'request has no body this server knows');
    return pb.Response.create({ id, ...(await handler(client, request[body]!)) });
  } catch (error) {
    const e = toSfuError(error);
    if (e.code === 'INTERNAL')
      log.error('request %s of %s failed: %o', request.body, peer.name, error);
    return pb.Response.create({ id, error: errorToMessage(e) });
  }
}

const HANDLERS: { [K in Body]: Handler<K> } = {
  async queryRoom({ room }) {
    return { queryRoom: queryRoomView(room) };
  },

  async join({ peer }) {
    throw new SfuError(
      'ALREADY_JOINED',
      `already joined as "${peer.name}": leave first to join again`,
    );
  },

  async resumeSession() {
    throw new SfuError('INVALID_STATE', 'the session is live: resume only after a lost connection');
  },

  async createTransport({ peer, room }, req) {
    const id = nonZeroId(req.id, 'id');
    checkCount(req.dtlsParameters?.fingerprints, 'fingerprints', 'dtlsParameters.fingerprints');
    const direction = transportDirection.fromMessage(req.direction, 'direction');
    const appData = appDataFrom(req.appData, 'appData', room.limits.maxAppDataSize);
    if (req.plainRtpParameters) {
      const remote = plainRtpParametersFromMessage(req.plainRtpParameters, 'plainRtpParameters');
      const transport = await peer.createPlainRtpTransport({
        id,
        direction,
        remote,
        ipFamily: remote.ipVersion,
        rtcpMux: remote.rtcpPort === undefined,
        appData,
      });
      return {
        createTransport: {
          plainRtpParameters: {
            ip: transport.localIP,
            ipVersion: remote.ipVersion,
            port: transport.localPort,
            rtcpPort: transport.rtcpTuple?.localPort,
          },
        },
      };
    }
    const options = req.options;
    const sctp = req.sctpCapabilities?.numStreams;
    const transport = await peer.createWebRtcTransport({
      id,
      direction,
      udp: options?.udp ?? true,
      tcp: options?.tcp ?? true,
      preferUdp: options?.preferUdp ?? false,
      preferTcp: options?.preferTcp ?? false,
      numSctpStreams: req.sctpCapabilities
        ? { OS: sctpStreams(sctp?.os), MIS: sctpStreams(sctp?.mis) }
        : undefined,
      dtlsParameters: req.dtlsParameters
        ? dtlsParametersFromMessage(req.dtlsParameters)
        : undefined,
      appData,
    });
    return {
      createTransport: {
        iceParameters: iceParametersToMessage(transport.iceLocalParameters),
        iceCandidates: transport.iceLocalCandidates.map((c, i) =>
          iceCandidateToMessage(c, `iceCandidates[${i}]`),
        ),
        dtlsParameters: dtlsParametersToMessage(transport.dtlsLocalParameters as DtlsParameters),
        sctpParameters: transport.sctpParameters
          ? sctpParametersToMessage(transport.sctpParameters)
          : undefined,
      },
    };
  },

  async connectTransport({ peer }, req) {
    checkCount(req.dtlsParameters?.fingerprints, 'fingerprints', 'dtlsParameters.fingerprints');
    await peer.connectTransport(
      req.transportId,
      dtlsParametersFromMessage(req.dtlsParameters, 'dtlsParameters'),
    );
    return { connectTransport: {} };
  },

  async restartIce({ peer }, req) {
    const iceParameters = await peer.restartIce(req.transportId);
    return { restartIce: { iceParameters: iceParametersToMessage(iceParameters) } };
  },

  async createProducer({ peer, room }, req) {
    checkRtpCounts(req.rtpParameters, 'rtpParameters');
    await peer.produce({
      id: nonZeroId(req.id, 'id'),
      transportId: req.transportId,
      kind: mediaKind.fromMessage(req.kind, 'kind'),
      rtpParameters: requiredRtpParametersFromMessage(req.rtpParameters, 'rtpParameters'),
      paused: req.paused,
      appData: appDataFrom(req.appData, 'appData', room.limits.maxAppDataSize),
    });
    return { createProducer: {} };
  },

  async enableConsumer({ peer }, req) {
    const consumer = await peer.enableConsumer(req.id, req.transportId, {
      paused: req.paused,
      preferredProfile: req.preferredProfile
        ? preferredProfile(req.preferredProfile, 'preferredProfile')
        : undefined,
    });
    return {
      enableConsumer: {
        rtpParameters: consumer.rtpParameters
          ? rtpParametersToMessage(consumer.rtpParameters)
          : undefined,
        paused: consumer.pausedByServer,
        preferredProfile: profileEnum.toMessage(consumer.preferredProfile, 'preferredProfile'),
        effectiveProfile: profileEnum.toMessage(consumer.effectiveProfile, 'effectiveProfile'),
      },
    };
  },

  async createDataProducer({ peer, room }, req) {
    await peer.produceData({
      id: nonZeroId(req.id, 'id'),
      transportId: req.transportId,
      sctpStreamParameters: sctpStreamParametersFromMessage(
        req.sctpStreamParameters,
        'sctpStreamParameters',
      ),
      label: shortText(req.label, 'label'),
      protocol: shortText(req.protocol, 'protocol'),
      appData: appDataFrom(req.appData, 'appData', room.limits.maxAppDataSize),
    });
    return { createDataProducer: {} };
  },

  async enableDataConsumer({ peer }, req) {
    const dataConsumer = await peer.enableDataConsumer(req.id, req.transportId);
    return {
      enableDataConsumer: {
        sctpStreamParameters: sctpStreamParametersToMessage(dataConsumer.sctpStreamParameters!),
      },
    };
  },

  async startConsumer({ peer }, req) {
    peer.startConsumer(req.id);
    return { startConsumer: {} };
  },
};

/**
 * SCTP streams a client asks for: 1024 at most (what browsers offer), since
 * the worker allocates per stream; 0 or unset means 1024.
 */
function sctpStreams(asked: number | undefined): number {
  return asked ? Math.min(asked, MAX_SCTP_STREAMS) : MAX_SCTP_STREAMS;
}

const MAX_SCTP_STREAMS = 1024;

/** Longest label or subprotocol of a data channel, in characters (every other peer is sent it). */
const MAX_LABEL_LENGTH = 256;

/** A data channel's label or subprotocol: short, since every peer of the room is sent it. */
function shortText(value: string, field: string): string {
  if (value.length > MAX_LABEL_LENGTH)
    throw new SfuError('BAD_REQUEST', `${field} is longer than ${MAX_LABEL_LENGTH} characters`, {
      field,
    });
  return value;
}

/** Ids of the objects a client creates are non-zero: 0 is the protocol's "unset". */
export function nonZeroId(id: number, field: string): number {
  if (!id)
    throw new SfuError(
      'BAD_REQUEST',
      `${field} must be a non-zero 32-bit number chosen by the client`,
      {
        field,
      },
    );
  return id;
}

/** A profile a client may prefer ('none' is only ever an effective profile). */
export function preferredProfile(value: number, field: string): PreferredProfile {
  const profile = profileEnum.fromMessage(value, field);
  if (profile === 'none')
    throw new SfuError('BAD_REQUEST', "'none' is not a profile one can prefer", { field });
  return profile;
}
