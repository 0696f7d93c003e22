// nftables rulesets for a namespace of a test network (Network.nft loads
// them): a router that masquerades, a host whose UDP is all dropped, a host
// that may open TCP connections to given ports only. Each is one table of its
// own, so that several can be loaded into one namespace.

/**
 * A NAT router: what leaves through `outIfname` carries the router's address
 * (nftables `masquerade`, as a home router does). The router's host needs
 * `router: true` (forwarding).
 */
export function masquerade(outIfname: string): string {
  return `table ip xnet_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${outIfname}" masquerade
  }
}
`;
}

/**
 * Drops every UDP datagram the namespace sends or receives on any interface
 * but its loopback: no STUN, no UDP ICE candidate pair, no TURN over UDP.
 * A local send fails at once (EPERM) rather than timing out.
 */
export function dropUdp(): string {
  return `table inet xnet_noudp {
  chain output {
    type filter hook output priority filter; policy accept;
    oifname "lo" accept
    meta l4proto udp drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "lo" accept
    meta l4proto udp drop
  }
}
`;
}

/** A TCP destination a host may connect to. */
export interface TcpTarget {
  address: string;
  port: number;
}

/**
 * Lets the namespace open TCP connections to `targets` only: every other
 * packet it would send (all UDP, ICMP, TCP elsewhere) is dropped, and it
 * receives only the replies of its connections (and its own loopback).
 */
export function allowOnlyTcp(targets: TcpTarget[]): string {
  const allowed = targets
    .map((t) => `    ip daddr ${t.address} tcp dport ${t.port} accept`)
    .join('\n');
  return `table inet xnet_only {
  chain output {
    type filter hook output priority filter; policy drop;
    oifname "lo" accept
    ct state established,related accept
${allowed}
  }
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    ct state established,related accept
  }
}
`;
}
