/**
 * What inspection reads: a replica, and the schema it was opened with (a replica does not keep
 * its schema object; the host that opened it does).
 */
import type { Replica } from '../replica/replica.ts';
import type { Schema } from '../schema/schema.ts';

/** A replica to inspect. */
export interface InspectTarget {
  readonly replica: Replica;
  readonly schema?: Schema | undefined;
}
