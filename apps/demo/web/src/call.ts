// One client in one room: joins, sends camera and microphone, receives every
// other peer, and exposes the controls the page binds to buttons.
import {
  type Consumer,
  connect,
  type Peer,
  type Producer,
  Room,
  type RoomConnection,
  type Transport,
} from '@x/client';
import { formatStats } from './stats.js';
import { attach, createTile, type Tile } from './tiles.js';

export interface CallMetrics {
  /** performance.now() when the first remote video frame was decoded (ms since page load). */
  firstRemoteFrameMs: number | undefined;
}

export class Call {
  readonly room = new Room();
  readonly metrics: CallMetrics = { firstRemoteFrameMs: undefined };
  connection: RoomConnection | undefined;
  audio: Producer | undefined;
  video: Producer | undefined;
  localTile: Tile | undefined;
  readonly tiles = new Map<string, Tile>();
  readonly consumers = new Set<Consumer>();
  #send: Transport | undefined;
  #recv: Transport | undefined;
  #stats = false;
  /** The access token of this peer (the demo's recordings API asks for it). */
  token = '';

  constructor(
    readonly roomId: string,
    readonly name: string,
    private readonly container: HTMLElement,
    private simulcast: boolean,
  ) {}

  async join(): Promise<void> {
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?room=${encodeURIComponent(this.roomId)}`;
    this.connection = await connect(this.room, wsUrl);
    const { token } = (await (
      await fetch(
        `/api/token?room=${encodeURIComponent(this.roomId)}&peer=${encodeURIComponent(this.name)}`,
      )
    ).json()) as { token: string };
    this.token = token;
    const peers = await this.room.join(this.name, { displayName: this.name }, { token });
    this.#send = this.room.createTransport('send');
    this.#recv = this.room.createTransport('recv');
    this.room.on('newpeer', (peer) => this.addPeer(peer));
    for (const peer of peers) this.addPeer(peer);

    this.localTile = createTile(this.container, this.name, true);
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 480 },
    });
    const [audioTrack] = stream.getAudioTracks();
    const [videoTrack] = stream.getVideoTracks();
    if (audioTrack && this.room.canSend('audio')) {
      this.audio = this.room.createProducer(audioTrack, {}, { source: 'mic' });
      await this.audio.send(this.#send);
    }
    if (videoTrack && this.room.canSend('video')) await this.sendVideo(videoTrack);
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

  /** Sends the camera again with or without simulcast. */
  async setSimulcast(on: boolean): Promise<void> {
    if (on === this.simulcast || !this.video) return;
    this.simulcast = on;
    const track = this.video.originalTrack;
    this.video.close();
    await this.sendVideo(track);
  }

  /** Shows server stats (bitrate, packets lost, RTT) on every tile. */
  setStats(on: boolean): void {
    this.#stats = on;
    for (const producer of [this.audio, this.video]) {
      if (producer && !producer.closed) on ? producer.enableStats(1000) : producer.disableStats();
    }
    for (const consumer of this.consumers) this.watchStats(consumer);
    if (!on) for (const tile of [this.localTile, ...this.tiles.values()]) tile?.setStats('');
  }

  leave(): void {
    this.room.leave();
    this.connection?.close();
    for (const tile of this.tiles.values()) tile.remove();
    this.tiles.clear();
    this.localTile?.remove();
    for (const producer of [this.audio, this.video]) producer?.originalTrack.stop();
  }

  private async sendVideo(track: MediaStreamTrack): Promise<void> {
    this.video = this.room.createProducer(
      track,
      { simulcast: this.simulcast },
      { source: 'webcam' },
    );
    this.video.on('stats', (stats) => this.localTile?.setStats(formatStats(stats)));
    if (this.#stats) this.video.enableStats(1000);
    await this.video.send(this.#send!);
    if (this.localTile) attach(this.localTile, this.video.track);
  }

  private addPeer(peer: Peer): void {
    const tile = createTile(this.container, peer.name, false);
    this.tiles.set(peer.name, tile);
    peer.on('newconsumer', (consumer) => void this.consume(consumer, tile));
    peer.once('close', () => {
      tile.remove();
      this.tiles.delete(peer.name);
    });
    for (const consumer of peer.consumers) void this.consume(consumer, tile);
  }

  private async consume(consumer: Consumer, tile: Tile): Promise<void> {
    if (!consumer.supported) return;
    this.consumers.add(consumer);
    consumer.once('close', () => this.consumers.delete(consumer));
    const update = () => tile.setState(consumer.kind, consumer.paused);
    consumer.on('pause', update);
    consumer.on('resume', update);
    update();
    const track = await consumer.receive(this.#recv!);
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
    if (consumer.kind !== 'video' || consumer.closed) return;
    consumer.removeAllListeners('stats');
    if (!this.#stats) {
      consumer.disableStats();
      return;
    }
    const tile = this.tiles.get(consumer.peer.name);
    consumer.on('stats', (stats) => tile?.setStats(formatStats(stats)));
    consumer.enableStats(1000);
  }
}
