/**
 * How IndexedDB failures map onto the storage port's error codes, and which of them mean the
 * connection (not the batch) is at fault and worth one reopen-and-retry.
 */
import { WeftError } from '@weft/engine';

/** The DOMException name of `err`, if it has one. */
function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * True when `err` says the connection went away rather than that the batch was bad: Safari
 * throws `InvalidStateError` from `transaction()` on a closed connection and aborts in-flight
 * transactions with `AbortError` or `UnknownError` ("Connection to Indexed Database server
 * lost"). An aborted transaction wrote nothing, so retrying it is safe.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof WeftError) return false;
  const name = errorName(err);
  return name === 'InvalidStateError' || name === 'AbortError' || name === 'UnknownError';
}

/** Maps a raw IndexedDB failure to a WeftError: `E_QUOTA` for a full origin, else `E_STORAGE`. */
export function mapIdbError(err: unknown, doing: string): WeftError {
  if (err instanceof WeftError) return err;
  const name = errorName(err) ?? 'Error';
  const message =
    err instanceof Error || (typeof err === 'object' && err !== null) ? String((err as Error).message) : String(err);
  if (name === 'QuotaExceededError') {
    return new WeftError('E_QUOTA', `IndexedDB is out of space (${doing}): ${message}`, { name });
  }
  return new WeftError('E_STORAGE', `IndexedDB ${doing} failed: ${name}: ${message}`, { name });
}
