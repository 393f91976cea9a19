/**
 * The storm bench's fan-out probe: a writer on relay 1 and a reader on relay 2 of one extra
 * database. While the storm runs the writer adds a note every `everyMs`; the reader records how
 * long each took to arrive (client → relay 1 → PostgreSQL → NOTIFY → relay 2 → client). Both
 * ends live in the bench process, so one clock times the whole path.
 */
import WebSocket from 'ws';
import {
  connectRelay,
  createReplica,
  generateIdentity,
  relaySyncUrl,
  type RelayLink,
  type SocketLike,
} from '@weft/engine';

/** A running probe. */
export interface FanoutProbe {
  /** Starts writing one note every `everyMs`. */
  start(everyMs: number): void;
  /** Stops writing and closes both links; returns the delivery latencies (ms) seen. */
  stop(): number[];
}

const openWs = (u: string): SocketLike => new WebSocket(u) as unknown as SocketLike;

/** Connects the two ends and waits until the reader has the database (warm path). */
export async function startFanoutProbe(relayOne: string, relayTwo: string): Promise<FanoutProbe> {
  const writerId = await generateIdentity();
  const writer = await createReplica({ identity: writerId, create: { name: 'storm-probe' } });
  const readerId = await generateIdentity();
  const reader = await createReplica({ identity: readerId, db: writer.dbId });
  const links: RelayLink[] = [
    connectRelay({ replica: writer, identity: writerId, url: relaySyncUrl(relayOne, writer.dbId), openSocket: openWs }),
    connectRelay({ replica: reader, identity: readerId, url: relaySyncUrl(relayTwo, writer.dbId), openSocket: openWs }),
  ];
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  reader.onCommit(() => {
    for (const [id, at] of sent)
      if (reader.get('notes', id) !== undefined) {
        latencies.push(performance.now() - at);
        sent.delete(id);
      }
  });
  await writer.change((tx) => tx.insert('notes', { title: 'warm-up' }, 'warm'));
  const deadline = Date.now() + 30_000;
  while (reader.get('notes', 'warm') === undefined) {
    if (Date.now() > deadline) throw new Error('fan-out probe: the reader on relay 2 never got the warm-up note');
    await new Promise((r) => setTimeout(r, 50));
  }
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  return {
    start(everyMs) {
      timer = setInterval(() => {
        const id = `p${n++}`;
        sent.set(id, performance.now());
        void writer.change((tx) => tx.insert('notes', { title: id }, id));
      }, everyMs);
    },
    stop() {
      clearInterval(timer);
      for (const l of links) l.close();
      return latencies;
    },
  };
}
