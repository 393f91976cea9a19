/**
 * Wires the effect log into a replica: `createReplica` attaches one log per replica (a commit
 * extension, so effects are stored in each batch's own write), and `replica.events()` opens
 * streams on it.
 */
import { WeftError } from '../errors.ts';
import type { CommitExtension } from '../replica/extension.ts';
import { EventLog, type EventLogOptions } from './event-log.ts';
import { EventStream, type EventsOptions } from './event-stream.ts';

/** What the wiring needs of a replica (kept structural to avoid an import cycle). */
interface ExtensibleReplica {
  use(extension: CommitExtension): Promise<void>;
}

const logs = new WeakMap<object, EventLog>();

/** Creates the replica's event log and registers it; called once by `createReplica`. */
export async function attachEventLog(replica: ExtensibleReplica, options?: EventLogOptions): Promise<EventLog> {
  const log = new EventLog(options);
  await replica.use(log);
  logs.set(replica, log);
  return log;
}

/** The replica's event log, if it has one. */
export function eventLogOf(replica: object): EventLog | undefined {
  return logs.get(replica);
}

/** Opens an event stream on the replica's log (`replica.events()`). */
export function openEventStream(replica: object, options?: EventsOptions): EventStream {
  const log = logs.get(replica);
  if (log === undefined) throw new WeftError('E_INTERNAL', 'replica has no event log');
  return new EventStream(log, options);
}

/** Ends every stream of the replica (`replica.close()`). */
export function closeEventLog(replica: object): void {
  logs.get(replica)?.close();
}
