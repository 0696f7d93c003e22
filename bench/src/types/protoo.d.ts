// The parts of protoo-server and protoo-client 4 (plain JavaScript, no
// types of their own) that the protoo baselines use.

declare module 'protoo-server' {
  import type { Server as HttpServer } from 'node:http';

  export interface ProtooRequest {
    id: number;
    method: string;
    data: Record<string, unknown>;
  }

  export class WebSocketTransport {}

  export class Peer {
    readonly id: string;
    readonly closed: boolean;
    data: Record<string, unknown>;
    on(
      event: 'request',
      listener: (
        request: ProtooRequest,
        accept: (data?: unknown) => void,
        reject: (code: number | Error, reason?: string) => void,
      ) => void,
    ): this;
    on(event: 'close', listener: () => void): this;
    notify(method: string, data?: unknown): Promise<void>;
    close(): void;
  }

  export class Room {
    readonly peers: Peer[];
    createPeer(peerId: string, transport: WebSocketTransport): Peer;
    getPeer(peerId: string): Peer | undefined;
    close(): void;
  }

  export class WebSocketServer {
    constructor(httpServer: HttpServer, options?: Record<string, unknown>);
    on(
      event: 'connectionrequest',
      listener: (
        info: { request: { url?: string } },
        accept: () => WebSocketTransport,
        reject: (code?: number, reason?: string) => void,
      ) => void,
    ): this;
    stop(): void;
  }
}

declare module 'protoo-client' {
  export class WebSocketTransport {
    constructor(url: string, options?: { retry?: { retries: number } });
  }

  export class Peer {
    constructor(transport: WebSocketTransport);
    readonly connected: boolean;
    on(event: 'open' | 'close' | 'disconnected', listener: () => void): this;
    on(event: 'failed', listener: (attempt: number) => void): this;
    on(
      event: 'notification',
      listener: (n: { method: string; data: Record<string, unknown> }) => void,
    ): this;
    request<T = Record<string, unknown>>(method: string, data?: unknown): Promise<T>;
    notify(method: string, data?: unknown): Promise<void>;
    close(): void;
  }
}
