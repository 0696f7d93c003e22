// The call's chat panel and reactions, over DataChannels through the SFU:
// one reliable ordered channel ('chat') for messages, one unordered channel
// that gives a message up after a second ('reactions') for the emoji that
// float over the call, where a late one is worth nothing. Messages of the server app
// (`room.sendData()`) show as notices.
import type { DataConsumer, DataProducer, Peer, Room } from '@x/client';

/** A line of the chat, as the panel shows it. */
export interface ChatLine {
  from: string;
  text: string;
  /** 'peer' (someone's message), 'self' (ours) or 'server' (a notice of the server app). */
  kind: 'peer' | 'self' | 'server';
}

/** Longest message the panel sends, in characters (the room's limit is 16 KiB). */
const MAX_CHARS = 2000;
/** Reactions the page offers. */
export const REACTIONS = ['👍', '❤️', '😂', '🎉', '👏'] as const;

export class Chat {
  readonly lines: ChatLine[] = [];
  /** Reactions received, newest last (for the tests and the curious). */
  readonly reactions: { from: string; emoji: string }[] = [];
  chat: DataProducer | undefined;
  reactionsChannel: DataProducer | undefined;
  readonly #room: Room;
  readonly #list: HTMLElement;
  readonly #onReaction: (from: string, emoji: string) => void;
  /** Whether the peers' channels are received as they come (after open()). */
  #receiving = false;
  /** Peers' channels seen before open(). */
  readonly #waiting: DataConsumer[] = [];

  constructor(room: Room, list: HTMLElement, onReaction: (from: string, emoji: string) => void) {
    this.#room = room;
    this.#list = list;
    this.#onReaction = onReaction;
    room.on('serverdata', (data, label) => {
      const text = typeof data === 'string' ? data : `(${data.byteLength} bytes)`;
      this.#add({ from: label || 'server', text, kind: 'server' });
    });
  }

  /**
   * Receives the peers' channels (those known and those to come) and opens
   * this peer's two. The call does it once its media flows: the room is
   * made with `receiveData: false` so that DataChannels wait until then.
   */
  async open(): Promise<void> {
    this.#receiving = true;
    for (const dc of this.#waiting.splice(0)) this.#receive(dc);
    this.chat = await this.#room.produceData({ label: 'chat' });
    this.reactionsChannel = await this.#room.produceData({
      label: 'reactions',
      ordered: false,
      maxPacketLifeTime: 1000,
    });
  }

  /** Listens to a peer's channels. */
  watch(peer: Peer): void {
    for (const dc of peer.dataConsumers) this.#listen(peer, dc);
    peer.on('newdataconsumer', (dc) => this.#listen(peer, dc));
  }

  /** Sends a chat message (trimmed; an empty one is not sent). */
  send(text: string): void {
    const message = text.trim().slice(0, MAX_CHARS);
    if (!message || !this.chat || this.chat.closed) return;
    this.chat.send(message);
    this.#add({ from: this.#room.peerName ?? 'me', text: message, kind: 'self' });
  }

  /** Sends a reaction. */
  react(emoji: string): void {
    if (!this.reactionsChannel || this.reactionsChannel.closed) return;
    this.reactionsChannel.send(emoji);
    this.#onReaction(this.#room.peerName ?? 'me', emoji);
  }

  #receive(dc: DataConsumer): void {
    if (!this.#receiving) {
      this.#waiting.push(dc);
      return;
    }
    if (dc.closed) return;
    dc.receive().catch((e: unknown) => console.warn(`data channel ${dc.label} not received:`, e));
  }

  #listen(peer: Peer, dc: DataConsumer): void {
    // Every channel is received, not only the chat's (bots and agents open their own).
    this.#receive(dc);
    if (dc.label === 'chat')
      dc.on('message', (data) => {
        if (typeof data === 'string')
          this.#add({ from: peer.name, text: data.slice(0, MAX_CHARS), kind: 'peer' });
      });
    else if (dc.label === 'reactions')
      dc.on('message', (data) => {
        if (typeof data !== 'string' || !(REACTIONS as readonly string[]).includes(data)) return;
        this.reactions.push({ from: peer.name, emoji: data });
        this.#onReaction(peer.name, data);
      });
  }

  #add(line: ChatLine): void {
    this.lines.push(line);
    const item = document.createElement('li');
    item.className = `chat-${line.kind}`;
    const who = document.createElement('strong');
    who.textContent = line.kind === 'self' ? 'you' : line.from;
    // textContent, never HTML: a message is whatever another peer typed.
    item.append(who, document.createTextNode(` ${line.text}`));
    this.#list.append(item);
    this.#list.scrollTop = this.#list.scrollHeight;
  }
}
