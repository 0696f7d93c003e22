import { BlockList, isIP, isIPv4 } from 'node:net';
import { SfuError } from '../util/errors.js';

/** Options of plain RTP transports created by clients (see `ServerOptions.clientPlainRtp`). */
export interface ClientPlainRtpOptions {
  /**
   * Networks a client may send RTP to or receive it from, as CIDR blocks
   * (`'10.0.0.0/8'`, `'2001:db8::/32'`). Required: without a list nothing
   * is allowed. Broadcast and multicast addresses are refused whatever the list.
   */
  allowedNetworks: string[];
}

const MULTICAST = new BlockList();
MULTICAST.addSubnet('224.0.0.0', 4, 'ipv4');
MULTICAST.addSubnet('255.255.255.255', 32, 'ipv4');
MULTICAST.addSubnet('0.0.0.0', 8, 'ipv4');
MULTICAST.addSubnet('ff00::', 8, 'ipv6');
MULTICAST.addSubnet('::', 128, 'ipv6');

/**
 * Where clients may point plain RTP: a plain transport sends the room's media
 * to whatever address its creator gives, so a client could aim it at a
 * third party (reflection). Off unless the app allows networks, and then
 * only for peers whose token carries `canUsePlainRtp`.
 */
export class PlainRtpPolicy {
  readonly #allowed = new BlockList();
  readonly #broadcasts = new BlockList();
  readonly #networks: string[];

  constructor(options: ClientPlainRtpOptions) {
    if (!Array.isArray(options?.allowedNetworks) || options.allowedNetworks.length === 0)
      throw new TypeError('clientPlainRtp.allowedNetworks must list at least one network (CIDR)');
    this.#networks = options.allowedNetworks;
    for (const cidr of options.allowedNetworks) {
      const [address, bits] = cidr.split('/');
      const prefix = Number(bits);
      const family = address ? isIP(address) : 0;
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
        throw new TypeError(`clientPlainRtp.allowedNetworks: "${cidr}" is not a CIDR block`);
      this.#allowed.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
      if (family === 4 && prefix <= 30) this.#broadcasts.addAddress(broadcastOf(address!, prefix));
    }
  }

  /** Throws FORBIDDEN unless a client may exchange RTP with `ip`:`port`. */
  check(ip: string, port: number): void {
    const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
    if (MULTICAST.check(ip, family) || this.#broadcasts.check(ip, family))
      throw new SfuError('FORBIDDEN', `${ip} is a broadcast, multicast or unspecified address`, {
        field: 'plainRtpParameters.ip',
      });
    if (!this.#allowed.check(ip, family))
      throw new SfuError(
        'FORBIDDEN',
        `${ip} is outside the networks this server lets clients use for plain RTP (${this.#networks.join(', ')})`,
        { field: 'plainRtpParameters.ip' },
      );
    if (port < 1024)
      throw new SfuError('FORBIDDEN', `port ${port} is a system port: plain RTP uses 1024-65535`, {
        field: 'plainRtpParameters.port',
      });
  }
}

function broadcastOf(address: string, prefix: number): string {
  const value = address.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
  const host = prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
  const broadcast = (value | host) >>> 0;
  return [24, 16, 8, 0].map((shift) => (broadcast >>> shift) & 0xff).join('.');
}
