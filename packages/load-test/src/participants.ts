import type { Consumer } from '@x/client';
import { type JoinedRoom, joinRoom, TestPatternSource, ToneSource, videoFrames } from '@x/node';
import { asParticipant } from './connections.js';
import type { TokenSource } from './tokens.js';

/** What one simulated participant does. */
export interface ParticipantSpec {
  name: string;
  room: string;
  role: 'publisher' | 'subscriber';
  /** Signaling URL of the room (`…/ws?room=<room>`). */
  url: string;
  tokens: TokenSource;
  video?: { width: number; height: number; fps: number; simulcast: boolean };
  audio: boolean;
  /** Subscriber: join as a spy (receives, invisible to the others: a webinar's viewers). */
  spy?: boolean;
}

/** What it measured. */
export interface ParticipantState {
  spec: ParticipantSpec;
  /** From connecting to joined, in ms (the token is asked for before). */
  joinMs?: number;
  /** Subscriber: from connecting to the first decoded video frame, in ms. */
  firstFrameMs?: number;
  /** Tracks received so far. */
  tracks: number;
  error?: string;
  stop(): Promise<void>;
}

/** Starts a participant; resolves once it joined and (publisher) sends, or failed. */
export function startParticipant(spec: ParticipantSpec): Promise<ParticipantState> {
  return asParticipant(spec.name, () => run(spec));
}

async function run(spec: ParticipantSpec): Promise<ParticipantState> {
  const closers: (() => void)[] = [];
  const state: ParticipantState = {
    spec,
    tracks: 0,
    async stop() {
      for (const close of closers.splice(0).reverse()) {
        try {
          close();
        } catch {
          // closing what is already gone
        }
      }
    },
  };
  let joined: JoinedRoom;
  try {
    const token = await spec.tokens(spec.room, spec.name);
    const started = performance.now();
    joined = await joinRoom({
      url: spec.url,
      peerName: spec.name,
      token,
      appData: { loadTest: spec.role },
      ...(spec.spy ? { room: { spy: true } } : {}),
    });
    state.joinMs = performance.now() - started;
    closers.push(
      () => joined.connection.close(),
      () => joined.room.leave(),
    );
    const { room } = joined;
    if (spec.role === 'publisher') {
      const send = room.createTransport('send');
      if (spec.audio) {
        const tone = new ToneSource({ frequency: 300 + Math.random() * 600 });
        closers.push(() => tone.close());
        await room.createProducer(tone.track, {}, { source: 'mic' }).send(send);
      }
      if (spec.video) {
        const pattern = new TestPatternSource(spec.video);
        closers.push(() => pattern.close());
        await room
          .createProducer(pattern.track, { simulcast: spec.video.simulcast }, { source: 'webcam' })
          .send(send);
      }
      return state;
    }
    // A subscriber receives everything; it decodes video until its first frame only.
    const receiving = room.createTransport('recv');
    const receive = async (consumer: Consumer) => {
      const track = await consumer.receive(receiving);
      state.tracks++;
      if (consumer.kind === 'video' && state.firstFrameMs === undefined) {
        const frames = videoFrames(track);
        for await (const _frame of frames) {
          state.firstFrameMs ??= performance.now() - started;
          break;
        }
      }
    };
    const watch = (consumer: Consumer) =>
      void receive(consumer).catch((error: unknown) => {
        state.error ??= `receiving from ${consumer.peer.name}: ${(error as Error).message}`;
      });
    for (const peer of room.peers) {
      peer.consumers.forEach(watch);
      peer.on('newconsumer', watch);
    }
    room.on('newpeer', (peer) => peer.on('newconsumer', watch));
    return state;
  } catch (error) {
    state.error = (error as Error).message;
    await state.stop();
    return state;
  }
}
