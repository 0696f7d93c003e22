// From the per-packet costs the pipes benchmark measured, how many consumers
// one room could take on a 16-core server: every assumption is a named
// constant here and is printed with the result.
import { PACKET_SIZE, PACKETS_PER_SECOND } from './source.js';

export const CORES = 16;
/** One core is left to the server's Node process (signaling) and the kernel. */
export const WORKERS = CORES - 1;
/** Share of its core a worker is loaded to: the rest absorbs the bursts (a frame's packets × N leave at once). */
export const UTILISATION = 0.8;
/** The server's network interface, bit/s. */
export const NIC_BITS_PER_SECOND = 10e9;
/** On the wire per packet: RTP payload + UDP 8 + IPv4 20 + Ethernet 14 + FCS 4 + preamble and gap 20 bytes. */
const WIRE_BYTES = PACKET_SIZE + 8 + 20 + 14 + 4 + 20;

export interface Projection {
  /** Worker CPU per delivered packet on the producer's own router, µs (measured). */
  usPerPacket: number;
  /** Worker CPU per source packet one pipe adds (send + receive), µs (measured). */
  pipeUsPerSourcePacket: number;
  /** N of the measurement the per-packet cost was taken at. */
  measuredAtN: number;
  /** N of the measurement the pipe cost was taken at. */
  pipeMeasuredAtN: number;
  /** Consumers one worker takes at {@link UTILISATION}. */
  perWorker: number;
  /** Consumers one room takes on {@link WORKERS} workers (CPU only). */
  cpuBound: number;
  /** Consumers the network interface carries. */
  nicBound: number;
  /** The smaller of the two. */
  roomConsumers: number;
}

/**
 * Projects from the rows of the pipes benchmark: the per-packet cost of the
 * largest N (the most amortised), and the pipe's cost at the smallest N,
 * where it weighs most against the noise of the two sides (a negative
 * difference, noise, counts as 0).
 */
export function projection(
  rows: readonly {
    n: number;
    same: { workerCpuPer1k: number };
    pipeUsPerSourcePacket: number;
  }[],
): Projection {
  const last = rows.at(-1)!;
  const usPerPacket = last.same.workerCpuPer1k; // ms per 1,000 packets = µs per packet
  const pipeUs = Math.max(0, rows[0]!.pipeUsPerSourcePacket);
  const r = PACKETS_PER_SECOND;
  const perWorker = (UTILISATION * 1e6) / (usPerPacket * r);
  // The source's worker sends the source to every other worker (W − 1 pipes),
  // each of them receives it once: charged the whole pipe cost on both sides.
  const cpuBound = WORKERS * perWorker - (2 * (WORKERS - 1) * pipeUs) / usPerPacket;
  const nicBound = NIC_BITS_PER_SECOND / (WIRE_BYTES * 8 * r);
  return {
    usPerPacket,
    pipeUsPerSourcePacket: pipeUs,
    measuredAtN: last.n,
    pipeMeasuredAtN: rows[0]!.n,
    perWorker: Math.floor(perWorker),
    cpuBound: Math.floor(cpuBound),
    nicBound: Math.floor(nicBound),
    roomConsumers: Math.floor(Math.min(cpuBound, nicBound)),
  };
}

/** The projection and its assumptions, as sentences. */
export function projectionText(p: Projection): string[] {
  const mbps = (WIRE_BYTES * 8 * PACKETS_PER_SECOND) / 1e6;
  return [
    `**Projection for a ${CORES}-core server**: one room with one source like this benchmark's (${PACKETS_PER_SECOND} packets/s of ${PACKET_SIZE} bytes, ${mbps.toFixed(2)} Mbit/s on the wire per consumer) could take about **${p.roomConsumers.toLocaleString('en-US')} consumers** (CPU bound ${p.cpuBound.toLocaleString('en-US')}, network bound ${p.nicBound.toLocaleString('en-US')}).`,
    `Measured: ${p.usPerPacket.toFixed(2)} µs of worker CPU per delivered packet on the producer’s router (N = ${p.measuredAtN}), ${p.pipeUsPerSourcePacket.toFixed(0)} µs per source packet for one pipe between workers (N = ${p.pipeMeasuredAtN}, where it weighs most).`,
    `Assumed: ${WORKERS} workers (one core left to Node and the kernel), each loaded to ${UTILISATION * 100} % of its core (the rest absorbs a frame's burst of N packets); the receivers spread evenly over the workers (maxConsumersPerWorker ≈ ${p.perWorker.toLocaleString('en-US')}, the room's peersPerRoom limit raised from its default 200); the source piped from its worker to the ${WORKERS - 1} others, each pipe charged in full to the sending and to the receiving worker; per-packet costs as measured here on loopback, where the worker's system time includes the kernel delivering each packet into the local sink's socket, taken as equal to a NIC driver's transmit cost; one ${NIC_BITS_PER_SECOND / 1e9} Gbit/s interface. Memory, RTCP, retransmissions and simulcast layer switching are left out.`,
    `Formula: per worker n₁ = U × 10⁶ / (µs per packet × packets/s) = ${p.perWorker.toLocaleString('en-US')}; room = W × n₁ − 2 (W − 1) × pipe µs / µs per packet; network = bit/s ÷ per-consumer bit/s.`,
  ];
}
