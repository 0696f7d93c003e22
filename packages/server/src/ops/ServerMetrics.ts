import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Producer } from '../media/Producer.js';
import type { Transport } from '../media/Transport.js';
import type { Server } from '../Server.js';
import type { SignalingServer } from '../signaling/SignalingServer.js';
import type { WebhookSender } from './WebhookSender.js';

/** What {@link ServerMetrics} reads besides the server. */
export interface MetricsSources {
  /** The signaling server, for requests by method and error code. */
  signaling?: SignalingServer;
  /** The webhook sender, for its queue and what it dropped. */
  webhooks?: WebhookSender;
}

const KINDS = ['audio', 'video'] as const;

/**
 * The server's Prometheus metrics (prom-client), in a registry of its own.
 * Counts of rooms, peers and media objects are read from the server's
 * object tree at each scrape (nothing to drift); transport bytes and worker
 * CPU are asked of the workers at each scrape; signaling requests are
 * counted as they are answered.
 */
export class ServerMetrics {
  /** Its prom-client registry (add the app's own metrics to it, or merge it with another). */
  readonly registry = new Registry();
  /** Per open transport, its byte counts at the last scrape: the counters grow by the difference. */
  readonly #lastBytes = new WeakMap<Transport, { received: number; sent: number }>();
  /** Per open producer, its packet counts at the last scrape. */
  readonly #lastPackets = new WeakMap<Producer, { received: number; lost: number }>();

  constructor(server: Server, sources: MetricsSources = {}) {
    const registers = [this.registry];
    // Node's own metrics (CPU, memory, event loop lag, GC), but not the
    // gauges prom-client names *_total, which promtool rejects as counters.
    collectDefaultMetrics({ register: this.registry, prefix: 'xsfu_' });
    for (const metric of this.registry.getMetricsAsArray())
      if (metric.name.endsWith('_total') && String(metric.type) !== 'counter')
        this.registry.removeSingleMetric(metric.name);

    new Gauge({
      name: 'xsfu_rooms',
      help: 'Open rooms on this node',
      registers,
      collect() {
        this.set(server.rooms.length);
      },
    });
    new Gauge({
      name: 'xsfu_room_peers',
      help: 'Peers of this node in each room (in a cluster, each node counts its own)',
      labelNames: ['room'],
      registers,
      collect() {
        this.reset();
        for (const room of server.rooms) this.set({ room: room.id }, room.peers.length);
      },
    });
    new Gauge({
      name: 'xsfu_peers',
      help: 'Peers on this node',
      registers,
      collect() {
        this.set(server.rooms.reduce((sum, room) => sum + room.peers.length, 0));
      },
    });
    new Gauge({
      name: 'xsfu_transports',
      help: 'Transports of peers on this node',
      registers,
      collect() {
        this.set(peersOf(server).reduce((sum, peer) => sum + peer.transports.length, 0));
      },
    });
    for (const [name, help, pick] of [
      ['xsfu_producers', 'Producers of peers on this node, by kind', (p: PeerLike) => p.producers],
      ['xsfu_consumers', 'Consumers of peers on this node, by kind', (p: PeerLike) => p.consumers],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          const counts = { audio: 0, video: 0 };
          for (const peer of peersOf(server)) for (const item of pick(peer)) counts[item.kind]++;
          for (const kind of KINDS) this.set({ kind }, counts[kind]);
        },
      });
    }
    // Mean stream score by kind: what producers receive, and what consumers deliver.
    const scoreGauges: [name: string, help: string, scores: (p: PeerLike) => StreamScore[]][] = [
      [
        'xsfu_producer_score',
        'Mean score (0-10) of the streams producers send, by kind: 10 is a loss-free stream',
        (p) =>
          p.producers
            .filter((producer) => !producer.closed)
            .flatMap((producer) =>
              producer.engine.score.map((s) => ({ kind: producer.kind, score: s.score })),
            ),
      ],
      [
        'xsfu_consumer_score',
        'Mean score (0-10) of what consumers send, by kind (lowered by loss on the way to the receiver)',
        (p) =>
          p.consumers.flatMap((consumer) =>
            consumer.engine && !consumer.engine.closed
              ? [{ kind: consumer.kind, score: consumer.engine.score.score }]
              : [],
          ),
      ],
    ];
    for (const [name, help, scoresOf] of scoreGauges) {
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          const all = peersOf(server).flatMap(scoresOf);
          for (const kind of KINDS) {
            const scores = all.filter((s) => s.kind === kind).map((s) => s.score);
            if (scores.length > 0)
              this.set({ kind }, scores.reduce((a, b) => a + b, 0) / scores.length);
            else this.remove({ kind });
          }
        },
      });
    }
    const bytes = new Counter({
      name: 'xsfu_transport_bytes_total',
      help: 'Bytes received (in) and sent (out) by the transports of peers on this node',
      labelNames: ['direction'],
      registers,
    });
    new Gauge({
      name: 'xsfu_transport_bitrate_bps',
      help: 'Bitrate received (in) and sent (out) by the transports of peers on this node, in bit/s',
      labelNames: ['direction'],
      registers,
      collect: async () => {
        let inBps = 0;
        let outBps = 0;
        const transports = peersOf(server).flatMap((p) => p.transports);
        const stats = await Promise.all(
          transports.map((t) =>
            t.engine.getStats().then(
              (s) => s[0] as unknown as TransportStats | undefined,
              () => undefined,
            ),
          ),
        );
        transports.forEach((transport, i) => {
          const s = stats[i];
          if (!s) return;
          const last = this.#lastBytes.get(transport) ?? { received: 0, sent: 0 };
          bytes.inc({ direction: 'in' }, Math.max(0, s.bytesReceived - last.received));
          bytes.inc({ direction: 'out' }, Math.max(0, s.bytesSent - last.sent));
          this.#lastBytes.set(transport, { received: s.bytesReceived, sent: s.bytesSent });
          inBps += s.recvBitrate;
          outBps += s.sendBitrate;
        });
        const gauge = this.registry.getSingleMetric('xsfu_transport_bitrate_bps') as Gauge;
        gauge.set({ direction: 'in' }, inBps);
        gauge.set({ direction: 'out' }, outBps);
      },
    });
    const packets = new Counter({
      name: 'xsfu_producer_packets_total',
      help: 'RTP packets the producers of peers on this node received (in), and those lost on the way (lost)',
      labelNames: ['kind', 'result'],
      registers,
      collect: async () => {
        const producers = peersOf(server)
          .flatMap((p) => p.producers)
          .filter((p) => !p.closed);
        const stats = await Promise.all(
          producers.map((p) =>
            p.engine.getStats().then(
              (s) => s as unknown as ProducerStats[],
              () => [] as ProducerStats[],
            ),
          ),
        );
        producers.forEach((producer, i) => {
          const sum = { received: 0, lost: 0 };
          for (const s of stats[i]!) {
            sum.received += s.packetCount ?? 0;
            sum.lost += Math.max(0, s.packetsLost ?? 0);
          }
          const last = this.#lastPackets.get(producer) ?? { received: 0, lost: 0 };
          packets.inc(
            { kind: producer.kind, result: 'received' },
            Math.max(0, sum.received - last.received),
          );
          packets.inc({ kind: producer.kind, result: 'lost' }, Math.max(0, sum.lost - last.lost));
          this.#lastPackets.set(producer, sum);
        });
      },
    });
    new Counter({
      name: 'xsfu_worker_cpu_seconds_total',
      help: 'CPU time of each media worker (user and system), in seconds',
      labelNames: ['worker'],
      registers,
      collect: async () => {
        const counter = this.registry.getSingleMetric('xsfu_worker_cpu_seconds_total') as Counter;
        counter.reset();
        await Promise.all(
          server.workers.map(async (worker) => {
            const usage = await worker.getResourceUsage().catch(() => undefined);
            if (usage)
              counter.inc({ worker: String(worker.pid) }, (usage.ru_utime + usage.ru_stime) / 1000);
          }),
        );
      },
    });
    for (const [field, help] of [
      [
        'consumers',
        'Consumers on each media worker (pipes included): what its capacity is counted in',
      ],
      ['transports', 'Transports on each media worker (pipes included)'],
      ['routers', 'Routers on each media worker'],
    ] as const) {
      new Gauge({
        name: `xsfu_worker_${field}`,
        help,
        labelNames: ['worker'],
        registers,
        collect() {
          this.reset();
          for (const load of server.workerLoads)
            this.set({ worker: String(load.pid) }, load[field]);
        },
      });
    }
    new Gauge({
      name: 'xsfu_pipes',
      help: "Pipe transports between this node's workers and to other nodes",
      registers,
      collect() {
        const total = server.workerLoads.reduce((sum, l) => sum + l.transports, 0);
        const peers = peersOf(server).reduce((sum, p) => sum + p.transports.length, 0);
        this.set(Math.max(0, total - peers));
      },
    });
    if (server.cluster) {
      const cluster = server.cluster;
      new Gauge({
        name: 'xsfu_cluster_nodes',
        help: 'Live nodes of the cluster, as this node sees them',
        registers,
        collect() {
          this.set(cluster.nodes.length);
        },
      });
      new Gauge({
        name: 'xsfu_draining',
        help: '1 while this node drains',
        registers,
        collect() {
          this.set(cluster.draining ? 1 : 0);
        },
      });
    }

    if (sources.signaling) {
      const requests = new Counter({
        name: 'xsfu_signaling_requests_total',
        help: "Signaling requests answered, by method and result ('OK' or the error code)",
        labelNames: ['method', 'code'],
        registers,
      });
      const latency = new Histogram({
        name: 'xsfu_signaling_request_duration_seconds',
        help: 'Time to answer a signaling request, by method',
        labelNames: ['method'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers,
      });
      sources.signaling.observer.on('request', (method, code, durationMs) => {
        requests.inc({ method, code });
        latency.observe({ method }, durationMs / 1000);
      });
    }
    if (sources.webhooks) {
      const webhooks = sources.webhooks;
      new Gauge({
        name: 'xsfu_webhooks_queued',
        help: 'Webhook deliveries waiting or in flight',
        registers,
        collect() {
          this.set(webhooks.queued);
        },
      });
      new Counter({
        name: 'xsfu_webhooks_total',
        help: 'Webhook deliveries by result: delivered, failed (given up), dropped (queue full), retried',
        labelNames: ['result'],
        registers,
        collect() {
          this.reset();
          for (const [result, count] of Object.entries(webhooks.counts))
            this.inc({ result }, count);
        },
      });
    }
  }

  /** The metrics in Prometheus' text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

interface ProducerStats {
  packetCount?: number;
  packetsLost?: number;
}

interface TransportStats {
  bytesReceived: number;
  bytesSent: number;
  recvBitrate: number;
  sendBitrate: number;
}

type PeerLike = ReturnType<typeof peersOf>[number];

interface StreamScore {
  kind: 'audio' | 'video';
  score: number;
}

function peersOf(server: Server) {
  return server.rooms.flatMap((room) => room.peers);
}
