// The messages behind the golden vectors in protocol/testdata/vectors: one of
// each request, response and notification kind, with realistic values.
// `pnpm --filter @x/protocol vectors` writes them; the tests check that the
// committed files still match and that Python reads and writes them alike.
import {
  type ClientMessageInit,
  dtlsParametersToMessage,
  iceCandidateToMessage,
  iceParametersToMessage,
  jsonToMessage,
  type pb,
  rtpCapabilitiesToMessage,
  rtpParametersToMessage,
  type ServerMessageInit,
  sctpParametersToMessage,
  statsListToMessage,
} from '../src/index.js';
import {
  AUDIO,
  appData,
  consumer,
  consumerParams,
  dtls,
  PROFILE_DEFAULT,
  PROFILE_HIGH,
  RECV,
  routerCaps,
  SEND,
  simulcast,
  stats,
  statsV1,
  VIDEO,
} from './vector-fixtures.js';

/** A golden vector: a name, an envelope type and the message. */
export type VectorSource =
  | { name: string; type: 'ClientMessage'; message: ClientMessageInit }
  | { name: string; type: 'ServerMessage'; message: ServerMessageInit };

const request = (name: string, id: number, body: pb.Request.$Properties): VectorSource => ({
  name: `request_${name}`,
  type: 'ClientMessage',
  message: { request: { id, ...body } },
});
const note = (name: string, body: pb.ClientNotification.$Properties): VectorSource => ({
  name: `client_notification_${name}`,
  type: 'ClientMessage',
  message: { notification: body },
});
const response = (name: string, id: number, result: pb.Response.$Properties): VectorSource => ({
  name: `response_${name}`,
  type: 'ServerMessage',
  message: { response: { id, ...result } },
});
const serverNote = (name: string, body: pb.ServerNotification.$Properties): VectorSource => ({
  name: `server_notification_${name}`,
  type: 'ServerMessage',
  message: { notification: body },
});

export const vectorSources: VectorSource[] = [
  request('query_room', 1, { queryRoom: {} }),
  request('query_room_with_token', 2, { queryRoom: { token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' } }),
  request('join', 2, {
    join: {
      protocolVersion: 1,
      peerName: 'alice',
      rtpCapabilities: rtpCapabilitiesToMessage(routerCaps),
      spy: false,
      appData,
      token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    },
  }),
  request('create_transport', 3, {
    createTransport: {
      id: 2718281828,
      direction: SEND,
      options: { udp: true, tcp: false, preferUdp: true },
      appData: jsonToMessage(null),
      sctpCapabilities: { numStreams: { os: 1024, mis: 1024 } },
    },
  }),
  request('create_plain_transport', 4, {
    createTransport: {
      id: 7,
      direction: RECV,
      plainRtpParameters: { ip: '192.0.2.10', ipVersion: 4, port: 5004, rtcpPort: 5005 },
    },
  }),
  request('connect_transport', 5, {
    connectTransport: {
      transportId: 2718281828,
      dtlsParameters: dtlsParametersToMessage({ ...dtls, role: 'client' }),
    },
  }),
  request('restart_ice', 6, { restartIce: { transportId: 2718281828 } }),
  request('create_producer', 7, {
    createProducer: {
      id: 4294967295,
      kind: VIDEO,
      transportId: 2718281828,
      rtpParameters: rtpParametersToMessage(simulcast),
      paused: true,
      appData: jsonToMessage({ source: 'webcam' }),
    },
  }),
  request('enable_consumer', 8, {
    enableConsumer: {
      id: 3141592653,
      transportId: 1,
      paused: false,
      preferredProfile: PROFILE_HIGH,
    },
  }),
  request('start_consumer', 9, { startConsumer: { id: 3141592653 } }),
  request('create_data_producer', 11, {
    createDataProducer: {
      id: 1618033988,
      transportId: 1,
      sctpStreamParameters: { streamId: 3, ordered: false, maxRetransmits: 0 },
      label: 'reactions',
      protocol: 'emoji',
      appData: jsonToMessage({ room: 'chat' }),
    },
  }),
  request('enable_data_consumer', 12, { enableDataConsumer: { id: 2236067977, transportId: 2 } }),
  request('resume_session', 10, {
    resumeSession: { protocolVersion: 1, sessionId: '6f1c2b8e-session' },
  }),
  note('leave', { leave: { appData: jsonToMessage({ reason: 'bye' }) } }),
  note('update_transport', {
    updateTransport: { id: 1, dtlsParameters: dtlsParametersToMessage(dtls) },
  }),
  note('close_transport', { closeTransport: { id: 1, appData: jsonToMessage([1, 2, 3]) } }),
  note('enable_transport_stats', { enableTransportStats: { id: 1, intervalMs: 1000 } }),
  note('disable_transport_stats', { disableTransportStats: { id: 1 } }),
  note('pause_producer', { pauseProducer: { id: 4294967295, appData: jsonToMessage('muted') } }),
  note('resume_producer', { resumeProducer: { id: 4294967295 } }),
  note('close_producer', { closeProducer: { id: 4294967295, appData: jsonToMessage(true) } }),
  note('close_data_producer', {
    closeDataProducer: { id: 1618033988, appData: jsonToMessage('done') },
  }),
  note('enable_producer_stats', { enableProducerStats: { id: 4294967295, intervalMs: 2500 } }),
  note('disable_producer_stats', { disableProducerStats: { id: 4294967295 } }),
  note('pause_consumer', { pauseConsumer: { id: 3141592653 } }),
  note('resume_consumer', { resumeConsumer: { id: 3141592653, appData: jsonToMessage(0) } }),
  note('set_consumer_preferred_profile', {
    setConsumerPreferredProfile: { id: 3141592653, profile: 2 },
  }),
  note('enable_consumer_stats', { enableConsumerStats: { id: 3141592653, intervalMs: 1000 } }),
  note('disable_consumer_stats', { disableConsumerStats: { id: 3141592653 } }),
  note('enable_active_speaker', { enableActiveSpeaker: {} }),
  note('disable_active_speaker', { disableActiveSpeaker: {} }),
  note('enable_audio_levels', { enableAudioLevels: { intervalMs: 500 } }),
  note('disable_audio_levels', { disableAudioLevels: {} }),
  response('error', 2, {
    error: {
      code: 8,
      message: 'peer name "alice" is taken in this room: choose another',
      field: 'join.peer_name',
    },
  }),
  response('error_node_unavailable', 3, {
    error: {
      code: 17,
      message: 'node b is draining: join through another node',
      redirectUrl: 'wss://c.example.com/ws?room=demo',
    },
  }),
  response('query_room', 1, {
    queryRoom: {
      rtpCapabilities: rtpCapabilitiesToMessage(routerCaps),
      mandatoryCodecPayloadTypes: [100, 101],
    },
  }),
  response('join', 2, {
    join: {
      peers: [
        {
          name: 'bob',
          appData: jsonToMessage({ displayName: 'Bob' }),
          consumers: [
            consumer,
            { ...consumer, id: 1, kind: AUDIO, simulcast: false, paused: true },
          ],
        },
        { name: 'carol', consumers: [] },
      ],
      sessionId: '6f1c2b8e-session',
      sessionGraceMs: 30000,
    },
  }),
  response('create_transport', 3, {
    createTransport: {
      iceParameters: iceParametersToMessage({
        usernameFragment: 'a1b2c3d4',
        password: 'p4ssw0rdp4ssw0rdp4ssw0rd',
        iceLite: true,
      }),
      iceCandidates: [
        iceCandidateToMessage({
          foundation: 'udpcandidate',
          priority: 1076302079,
          ip: '203.0.113.7',
          protocol: 'udp',
          port: 40000,
          type: 'host',
        }),
        iceCandidateToMessage({
          foundation: 'tcpcandidate',
          priority: 1076276479,
          ip: '203.0.113.7',
          protocol: 'tcp',
          port: 40001,
          type: 'host',
          tcpType: 'passive',
        }),
      ],
      dtlsParameters: dtlsParametersToMessage(dtls),
      sctpParameters: sctpParametersToMessage({
        port: 5000,
        OS: 1024,
        MIS: 1024,
        maxMessageSize: 262144,
      }),
    },
  }),
  response('create_plain_transport', 4, {
    createTransport: { plainRtpParameters: { ip: '198.51.100.1', ipVersion: 4, port: 41000 } },
  }),
  response('connect_transport', 5, { connectTransport: {} }),
  response('restart_ice', 6, {
    restartIce: {
      iceParameters: iceParametersToMessage({
        usernameFragment: 'new',
        password: 'newpassword',
        iceLite: true,
      }),
    },
  }),
  response('create_producer', 7, { createProducer: {} }),
  response('enable_consumer', 8, {
    enableConsumer: {
      rtpParameters: rtpParametersToMessage(consumerParams),
      paused: false,
      preferredProfile: PROFILE_HIGH,
      effectiveProfile: PROFILE_DEFAULT,
    },
  }),
  response('start_consumer', 9, { startConsumer: {} }),
  response('create_data_producer', 11, { createDataProducer: {} }),
  response('enable_data_consumer', 12, {
    enableDataConsumer: {
      sctpStreamParameters: { streamId: 1, ordered: true, maxPacketLifeTime: 500 },
    },
  }),
  response('resume_session', 10, {
    resumeSession: {
      peers: [{ name: 'bob', consumers: [consumer] }],
      producers: [{ id: 4294967295, paused: true }],
      transportIds: [2718281828, 7],
    },
  }),
  serverNote('new_data_consumer', {
    newDataConsumer: {
      dataConsumer: {
        id: 2236067977,
        peerName: 'bob',
        dataProducerId: 1618033988,
        label: 'chat',
        protocol: '',
        ordered: true,
        appData: jsonToMessage({ topic: 'general' }),
      },
    },
  }),
  serverNote('data_consumer_closed', { dataConsumerClosed: { id: 2236067977, peerName: 'bob' } }),
  serverNote('data_producer_closed', {
    dataProducerClosed: {
      id: 1618033988,
      error: {
        code: 11,
        message: 'peer alice sent 2000 data messages per second, past its limit of 1000',
        field: 'dataMessagesPerSecond',
      },
    },
  }),
  serverNote('data_message_text', { dataMessage: { label: 'moderator', text: 'héllo ✓' } }),
  serverNote('data_message_binary', {
    dataMessage: { label: 'state', binary: new Uint8Array([0, 1, 254, 255]) },
  }),
  serverNote('closed', {
    closed: {
      reason: 3,
      message: 'the media worker died',
      appData: jsonToMessage({ by: 'server' }),
    },
  }),
  serverNote('transport_closed', { transportClosed: { id: 1 } }),
  serverNote('transport_stats', {
    transportStats: {
      id: 1,
      stats: statsListToMessage([
        {
          type: 'webrtc-transport',
          timestamp: 1,
          transportId: 'uuid',
          iceState: 'completed',
          bytesSent: 1000,
          rtpPacketLossReceived: 0.25,
          rtpPacketLossSent: 0.125,
          iceSelectedTuple: {
            localIp: '127.0.0.1',
            localPort: 40000,
            remoteIp: '127.0.0.1',
            remotePort: 55555,
            protocol: 'udp',
          },
        },
      ]),
    },
  }),
  serverNote('new_peer', {
    newPeer: {
      peer: {
        name: 'dave',
        appData: jsonToMessage({ displayName: 'Dave' }),
        consumers: [consumer],
      },
    },
  }),
  serverNote('peer_closed', {
    peerClosed: { name: 'dave', appData: jsonToMessage({ reason: 'left' }) },
  }),
  serverNote('producer_paused', { producerPaused: { id: 4294967295 } }),
  serverNote('producer_resumed', {
    producerResumed: { id: 4294967295, appData: jsonToMessage({}) },
  }),
  serverNote('producer_closed', { producerClosed: { id: 4294967295 } }),
  serverNote('producer_stats', { producerStats: { id: 4294967295, stats } }),
  serverNote('producer_stats_protocol_v1', { producerStats: { id: 4294967295, stats: statsV1 } }),
  serverNote('new_consumer', { newConsumer: { consumer } }),
  serverNote('consumer_closed', { consumerClosed: { id: 3141592653, peerName: 'bob' } }),
  serverNote('consumer_paused', {
    consumerPaused: { id: 3141592653, peerName: 'bob', originator: 2 },
  }),
  serverNote('consumer_resumed', {
    consumerResumed: { id: 3141592653, peerName: 'bob', originator: 1 },
  }),
  serverNote('consumer_preferred_profile_set', {
    consumerPreferredProfileSet: { id: 3141592653, peerName: 'bob', profile: 3 },
  }),
  serverNote('consumer_effective_profile_changed', {
    consumerEffectiveProfileChanged: { id: 3141592653, peerName: 'bob', profile: 5 },
  }),
  serverNote('consumer_stats', { consumerStats: { id: 3141592653, peerName: 'bob', stats } }),
  serverNote('peer_batch', { peerBatch: { peers: [{ name: 'erin', consumers: [] }] } }),
  serverNote('recording', { recording: { active: true, peerNames: ['alice', 'bob'] } }),
  serverNote('active_speaker', { activeSpeaker: { peerName: 'alice', producerId: 1 } }),
  serverNote('audio_levels', {
    audioLevels: {
      levels: [
        { peerName: 'alice', producerId: 1, level: -12 },
        { peerName: 'bob', producerId: 7, level: -45 },
      ],
    },
  }),
  serverNote('consumer_score', {
    consumerScore: { id: 3141592653, peerName: 'bob', score: 9, producerScore: 10 },
  }),
  serverNote('producer_score', { producerScore: { id: 12, scores: [10, 8, 0] } }),
  serverNote('closed_node_draining', {
    closed: {
      reason: 7,
      message: 'node b is shutting down',
      redirectUrl: 'wss://c.example.com/ws?room=demo',
    },
  }),
  serverNote('notification_rejected', {
    notificationRejected: {
      notification: 'pause_producer',
      id: 12,
      error: { code: 4, message: 'no producer 12 belongs to this peer' },
    },
  }),
];
