// A UDP socket on 127.0.0.1 whose datagrams can be awaited.
import { createSocket, type Socket } from 'node:dgram';

export class UdpPeer {
  private readonly socket: Socket = createSocket('udp4');
  private readonly received: Buffer[] = [];
  private waiters: Array<() => void> = [];

  async bind(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.socket.on('message', (datagram) => {
      this.received.push(datagram);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(datagram: Buffer, port: number): void {
    this.socket.send(datagram, port, '127.0.0.1');
  }

  /** The first datagram (received so far or later) that `match` accepts, or undefined after `timeoutMs`. */
  async next<T>(
    match: (datagram: Buffer) => T | undefined,
    timeoutMs: number,
  ): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.received.length > 0) {
        const found = match(this.received.shift()!);
        if (found !== undefined) return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}
