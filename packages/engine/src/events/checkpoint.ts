/**
 * Event-stream checkpoints: opaque, ordered, plain strings that name one effect of the
 * persisted effect log, so a consumer can stop and resume exactly after it.
 *
 *   checkpoint = epoch ":" position      e.g. "kq3Vb1x0:0000000004d2"
 *
 * `position` is the effect's place in this replica's log (1, 2, 3 …, never reused), as 12
 * lower-case hex digits so that string order is numeric order. `epoch` is random, chosen when
 * the log is first written: a checkpoint taken from another replica's log, or from a log that
 * was wiped and started again, then fails loudly instead of silently pointing at other effects.
 */
import type { Brand } from '../ids.ts';
import { WeftError } from '../errors.ts';

/** A resumable position in the event stream. Treat as opaque; order with {@link compareCheckpoints}. */
export type Checkpoint = Brand<string, 'Checkpoint'>;

const POS_DIGITS = 12;
/** Largest position a checkpoint can name (48 bits: centuries of effects at any realistic rate). */
export const MAX_POSITION = 2 ** 48 - 1;
const FORMAT = /^([A-Za-z0-9_-]{1,32}):([0-9a-f]{12})$/;

/** The checkpoint of the effect at `position` in log `epoch`. */
export function makeCheckpoint(epoch: string, position: number): Checkpoint {
  return `${epoch}:${position.toString(16).padStart(POS_DIGITS, '0')}` as Checkpoint;
}

/** Splits a checkpoint; throws `E_INVALID_ARGUMENT` for anything that is not one. */
export function parseCheckpoint(checkpoint: unknown): { epoch: string; position: number } {
  const m = typeof checkpoint === 'string' ? FORMAT.exec(checkpoint) : null;
  if (m === null) throw new WeftError('E_INVALID_ARGUMENT', `not an event checkpoint: ${String(checkpoint)}`);
  return { epoch: m[1]!, position: parseInt(m[2]!, 16) };
}

/**
 * Orders two checkpoints of the same log (negative, zero, positive). Checkpoints of different
 * logs are not comparable: `E_INVALID_ARGUMENT`.
 */
export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  const x = parseCheckpoint(a);
  const y = parseCheckpoint(b);
  if (x.epoch !== y.epoch) throw new WeftError('E_INVALID_ARGUMENT', 'checkpoints of different event logs');
  return x.position - y.position;
}
