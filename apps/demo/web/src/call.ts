// One client in one room: joins, sends camera, microphone and optionally the
// screen, receives every other peer, follows the active speaker, audio levels
// and network quality, and exposes the controls the page binds to buttons.
import {
  type Consumer,
  connect,
  type Peer,
  type Producer,
  Room,
  type RoomConnection,
  type Transport,
  type TransportFailedError,
} from '@x/client';
import { Chat } from './chat.js';
import { QualityProbe } from './quality.js';
import { formatStats } from './stats.js';
import { attach, createTile, type Tile } from './tiles.js';

/** When the call reached its milestones: performance.now() (ms since the page's navigation). */
export interface CallMetrics {
  /** join() was called (the join button, or at once with `autojoin=1`). */
  startedMs: number | undefined;
  /** The room was joined (token, WebSocket, queryRoom, join). */
  joinedMs: number | undefined;
  /** The first remote video frame was decoded and shown. */
  firstRemoteFrameMs: number | undefined;
}

/** What the page chose before joining. */
export interface CallOptions {
  roomId: string;
  name: string;
  container: HTMLElement;
  simulcast: boolean;
  /**
   * Camera and microphone (the pre-join preview's stream), or the promise of
   * them while the browser still starts them: the call joins and receives
   * meanwhile, and publishes once they are there.
   */
  stream: MediaStream | Promise<MediaStream>;
  /** The audio output for remote peers (setSinkId), '' for the default. */
  speakerId: string;
  /** Room option: how long a transport may take to connect (ms). */
  transportConnectTimeout?: number;
  /** Room option: TURN servers (with their credentials). */
  turnServers?: RTCIceServer[];
  /** Room option: 'relay' to connect through the TURN servers only. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Where the chat's lines go. */
  chatList: HTMLElement;
  /** Shows a reaction (of a peer, or ours). */
  onReaction: (from: string, emoji: string) => void;
}

const source = (c: Consumer) => (c.appData as { source?: string } | undefined)?.source;

export class Call {
  readonly room: Room;
  /** The chat and reactions (DataChannels). */
  readonly chat: Chat;
  /** Resolves once this peer's chat channels are open on the server. */
  chatReady: Promise<void> = Promise.resolve();
  readonly metrics: CallMetrics = {
    startedMs: undefined,
    joinedMs: undefined,
    firstRemoteFrameMs: undefined,
  };
  readonly roomId: string;
  readonly name: string;
  connection: RoomConnection | undefined;
  audio: Producer | undefined;
  video: Producer | undefined;
  screen: Producer | undefined;
  localTile: Tile | undefined;
  localScreenTile: Tile | undefined;
  /** Camera tiles of the remote peers, by name. */
  readonly tiles = new Map<string, Tile>();
  /** Screen tiles of the remote peers, by consumer id. */
  readonly screenTiles = new Map<number, Tile>();
  readonly consumers = new Set<Consumer>();
  /** Transports that could not connect (what the page shows). */
  readonly transportFailures: TransportFailedError[] = [];
  /** The access token of this peer (the demo's recordings API asks for it). */
  token = '';
  #send: Transport | undefined;
  #recv: Transport | undefined;
  #stats = false;
  #simulcast: boolean;
  #speakerId: string;
  #speaking: string | undefined;
  #probeTimer: ReturnType<typeof setInterval> | undefined;
  readonly #probes = new WeakMap<object, QualityProbe>();
  readonly #container: HTMLElement;
  readonly #stream: Promise<MediaStream>;

  constructor(options: CallOptions) {
    this.roomId = options.roomId;
    this.name = options.name;
    this.#container = options.container;
    this.#simulcast = options.simulcast;
    this.#stream = Promise.resolve(options.stream);
    // Its failure is the join's (see join()), not an unhandled rejection meanwhile.
    this.#stream.catch(() => undefined);
    this.#speakerId = options.speakerId;
    this.room = new Room({
      ...(options.transportConnectTimeout
        ? { transportConnectTimeout: options.transportConnectTimeout }
        : {}),
      ...(options.turnServers ? { turnServers: options.turnServers } : {}),
      ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
      // The chat receives the peers' DataChannels once the media flows (Chat.open).
      receiveData: false,
    });
    this.room.on('transportfailed', (_transport, error) => this.transportFailures.push(error));
    this.chat = new Chat(this.room, options.chatList, options.onReaction);
  }

  async join(): Promise<void> {
    this.metrics.startedMs ??= performance.now();
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?room=${encodeURIComponent(this.roomId)}`;
    const tokenUrl = `/api/token?room=${encodeURIComponent(this.roomId)}&peer=${encodeURIComponent(this.name)}`;
    // The WebSocket opens while the token comes: neither needs the other.
    const connecting = connect(this.room, wsUrl);
    connecting.then(
      (connection) => {
        this.connection = connection;
      },
      () => undefined,
    );
    try {
      const answer = await fetch(tokenUrl);
      const body = (await answer.json()) as { token?: string; error?: string };
      if (!answer.ok || !body.token)
        throw new Error(body.error ?? `no access token (${answer.status})`);
      this.token = body.token;
    } catch (error) {
      // No token, no call: the connection that opened meanwhile goes too.
      connecting.then(
        (connection) => connection.close(),
        () => undefined,
      );
      throw error;
    }
    this.connection = await connecting;
    const peers = await this.room.join(
      this.name,
      { displayName: this.name },
      { token: this.token },
    );
    this.metrics.joinedMs = performance.now();
    this.#send = this.room.createTransport('send');
    this.#recv = this.room.createTransport('recv');
    this.localTile = createTile(this.#container, this.name, { local: true });
    this.room.on('newpeer', (peer) => void this.addPeer(peer));
    // What the call starts with goes first: the others' media, then ours,
    // then the chat. Each costs the page SDP work and the server requests,
    // and done all at once they slow each other down.
    const receiving = Promise.allSettled(peers.map((peer) => this.addPeer(peer)));
    let publish!: () => void;
    const published = new Promise<void>((resolve) => {
      publish = resolve;
    });
    // Chat does not hold up the media: its channels open after it.
    this.chatReady = published.then(() => this.chat.open());
    this.chatReady.catch((e: unknown) => console.warn('chat unavailable:', e));
    this.room.on('activespeaker', (peerName) => this.#setSpeaking(peerName));
    this.room.on('audiolevels', (levels) => {
      const loud = new Map(levels.map((l) => [l.peerName, l.level]));
      for (const [name, tile] of this.#cameraTiles()) tile.setLevel(loud.get(name) ?? -127);
    });
    this.room.on('producerscore', (producer, scores) => {
      if (producer === this.video)
        this.localTile?.setQuality(Math.max(...scores), undefined, 'video');
    });
    this.room.enableActiveSpeaker();
    this.room.enableAudioLevels(500);
    this.#probeTimer = setInterval(() => void this.#measureQuality(), 2000);

    try {
      // A consumer that cannot be received holds nothing up: allSettled.
      await receiving;
      const stream = await this.#stream;
      const [audioTrack] = stream.getAudioTracks();
      const [videoTrack] = stream.getVideoTracks();
      if (audioTrack && this.room.canSend('audio')) {
        this.audio = this.room.createProducer(audioTrack, {}, { source: 'mic' });
        await this.audio.send(this.#sending());
      }
      if (videoTrack && this.room.canSend('video')) await this.sendVideo(videoTrack);
    } finally {
      publish();
    }
  }

  /** The send transport: the same object for the whole call, rejoins included. */
  #sending(): Transport {
    this.#send ??= this.room.createTransport('send');
    return this.#send;
  }

  /** The receive transport: the same object for the whole call, rejoins included. */
  #receiving(): Transport {
    this.#recv ??= this.room.createTransport('recv');
    return this.#recv;
  }

  /**
   * Resolves when media flows to the server (the send transport connected),
   * rejects with the transport's error when it cannot connect.
   */
  mediaConnected(): Promise<void> {
    const send = this.#send;
    if (!send?.engine || send.connectionState === 'connected') return Promise.resolve();
    if (this.transportFailures[0]) return Promise.reject(this.transportFailures[0]);
    return new Promise((resolve, reject) => {
      const onState = (state: string) => {
        if (state !== 'connected') return;
        done();
        resolve();
      };
      const onFailed = (_t: Transport, error: TransportFailedError) => {
        done();
        reject(error);
      };
      const done = () => {
        send.off('connectionstatechange', onState);
        this.room.off('transportfailed', onFailed);
      };
      send.on('connectionstatechange', onState);
      this.room.on('transportfailed', onFailed);
    });
  }

  /** Pauses or resumes the microphone; returns whether it is now paused. */
  toggleMic(): boolean {
    if (!this.audio) return true;
    if (this.audio.locallyPaused) this.audio.resume();
    else this.audio.pause();
    this.localTile?.setState('audio', this.audio.paused);
    return this.audio.paused;
  }

  /** Pauses or resumes the camera; returns whether it is now paused. */
  toggleCam(): boolean {
    if (!this.video) return true;
    if (this.video.locallyPaused) this.video.resume();
    else this.video.pause();
    this.localTile?.setState('video', this.video.paused);
    return this.video.paused;
  }

  /** Sends another camera (the next one, or a fresh track of the same) with replaceTrack. */
  async switchCamera(): Promise<void> {
    if (!this.video) return;
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter(
      (d) => d.kind === 'videoinput',
    );
    const current = this.video.track.getSettings().deviceId;
    const nextCamera =
      cameras[(cameras.findIndex((c) => c.deviceId === current) + 1) % Math.max(1, cameras.length)];
    const stream = await navigator.mediaDevices.getUserMedia({
      video: {
        width: 640,
        height: 480,
        ...(nextCamera?.deviceId ? { deviceId: { exact: nextCamera.deviceId } } : {}),
      },
    });
    const track = stream.getVideoTracks()[0]!;
    const previous = this.video.originalTrack;
    const sent = await this.video.replaceTrack(track);
    previous.stop();
    if (this.localTile) attach(this.localTile, sent);
  }

  /** Shares the screen as a second video producer; resolves when it is sent. */
  async startScreenShare(): Promise<void> {
    if (this.screen || !this.room.joined) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0]!;
    this.screen = this.room.createProducer(track, {}, { source: 'screen' });
    // The browser's own "Stop sharing" ends the track.
    track.addEventListener('ended', () => this.stopScreenShare());
    await this.screen.send(this.#sending());
    this.localScreenTile = createTile(this.#container, this.name, { local: true, screen: true });
    attach(this.localScreenTile, this.screen.track);
  }

  stopScreenShare(): void {
    if (!this.screen) return;
    this.screen.close();
    this.screen.originalTrack.stop();
    this.screen = undefined;
    this.localScreenTile?.remove();
    this.localScreenTile = undefined;
  }

  /** Sends the camera again with or without simulcast. */
  async setSimulcast(on: boolean): Promise<void> {
    if (on === this.#simulcast || !this.video) return;
    this.#simulcast = on;
    const track = this.video.originalTrack;
    this.video.close();
    await this.sendVideo(track);
  }

  /** Shows server stats (bitrate summed over simulcast layers, packets lost, RTT) on every tile. */
  setStats(on: boolean): void {
    this.#stats = on;
    for (const producer of [this.audio, this.video]) {
      if (producer && !producer.closed) on ? producer.enableStats(1000) : producer.disableStats();
    }
    for (const consumer of this.consumers) this.watchStats(consumer);
    if (!on) for (const [, tile] of this.#cameraTiles()) tile.setStats('');
  }

  /** Plays the remote peers on this audio output ('' for the default). */
  async setSpeaker(deviceId: string): Promise<void> {
    this.#speakerId = deviceId;
    await Promise.all([...this.tiles.values()].map((t) => t.setSink(deviceId)));
  }

  leave(): void {
    clearInterval(this.#probeTimer);
    this.room.leave();
    this.connection?.close();
    for (const tile of [...this.tiles.values(), ...this.screenTiles.values()]) tile.remove();
    this.tiles.clear();
    this.screenTiles.clear();
    this.localTile?.remove();
    this.localScreenTile?.remove();
    for (const producer of [this.audio, this.video, this.screen]) producer?.originalTrack.stop();
  }

  private async sendVideo(track: MediaStreamTrack): Promise<void> {
    this.video = this.room.createProducer(
      track,
      { simulcast: this.#simulcast },
      { source: 'webcam' },
    );
    this.video.on('stats', (stats) => this.localTile?.setStats(formatStats(stats, 'producer')));
    if (this.#stats) this.video.enableStats(1000);
    await this.video.send(this.#sending());
    if (this.localTile) attach(this.localTile, this.video.track);
  }

  /** Shows a peer and receives its media; resolves once its consumers of now are received. */
  private addPeer(peer: Peer): Promise<unknown> {
    const tile = createTile(this.#container, peer.name, { local: false });
    if (this.#speakerId) void tile.setSink(this.#speakerId);
    if (this.#speaking === peer.name) tile.setSpeaking(true);
    this.tiles.set(peer.name, tile);
    this.chat.watch(peer);
    peer.on('newconsumer', (consumer) => void this.consume(consumer, tile));
    peer.once('close', () => {
      tile.remove();
      this.tiles.delete(peer.name);
    });
    return Promise.allSettled(peer.consumers.map((consumer) => this.consume(consumer, tile)));
  }

  private async consume(consumer: Consumer, cameraTile: Tile): Promise<void> {
    if (!consumer.supported) return;
    this.consumers.add(consumer);
    let tile = cameraTile;
    if (source(consumer) === 'screen') {
      tile = createTile(this.#container, consumer.peer.name, { local: false, screen: true });
      this.screenTiles.set(consumer.id, tile);
    }
    consumer.once('close', () => {
      this.consumers.delete(consumer);
      if (tile !== cameraTile) {
        tile.remove();
        this.screenTiles.delete(consumer.id);
      }
    });
    const update = () => tile.setState(consumer.kind, consumer.paused);
    consumer.on('pause', update);
    consumer.on('resume', update);
    update();
    // A paused producer scores 0: that says nothing of the network.
    consumer.on('score', (score, producerScore) => {
      if (!consumer.paused) tile.setQuality(score, producerScore, consumer.kind);
    });
    const track = await consumer.receive(this.#receiving());
    attach(tile, track);
    if (consumer.kind === 'video') {
      this.watchStats(consumer);
      if (this.metrics.firstRemoteFrameMs === undefined) {
        tile.video.requestVideoFrameCallback((now) => {
          this.metrics.firstRemoteFrameMs ??= now;
        });
      }
    }
  }

  private watchStats(consumer: Consumer): void {
    if (consumer.kind !== 'video' || consumer.closed || source(consumer) === 'screen') return;
    consumer.removeAllListeners('stats');
    if (!this.#stats) {
      consumer.disableStats();
      return;
    }
    const tile = this.tiles.get(consumer.peer.name);
    consumer.on('stats', (stats) => tile?.setStats(formatStats(stats, 'consumer')));
    consumer.enableStats(1000);
  }

  // Every 2 s: the loss of each remote camera as received here, and of this
  // camera as its receiver (the server) reports it.
  async #measureQuality(): Promise<void> {
    const measure = async (
      key: object,
      tile: Tile | undefined,
      stats: () => Promise<RTCStatsReport>,
      direction: 'recv' | 'send',
    ) => {
      const probe = this.#probes.get(key) ?? new QualityProbe();
      this.#probes.set(key, probe);
      const report = await stats().catch(() => undefined);
      if (report && tile) tile.setMeasuredQuality(probe.measure(report, direction));
    };
    const jobs: Promise<void>[] = [];
    for (const c of this.consumers) {
      if (c.kind !== 'video' || !c.engine || c.paused || source(c) === 'screen') continue;
      const engine = c.engine;
      jobs.push(measure(c, this.tiles.get(c.peer.name), () => engine.getStats(), 'recv'));
    }
    const video = this.video?.engine;
    if (video && !this.video?.paused)
      jobs.push(measure(video, this.localTile, () => video.getStats(), 'send'));
    await Promise.all(jobs);
  }

  #cameraTiles(): [string, Tile][] {
    const all: [string, Tile][] = [...this.tiles];
    if (this.localTile) all.push([this.name, this.localTile]);
    return all;
  }

  #setSpeaking(peerName: string): void {
    this.#speaking = peerName;
    for (const [name, tile] of this.#cameraTiles()) tile.setSpeaking(name === peerName);
  }
}
