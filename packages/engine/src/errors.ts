/**
 * Every error Weft raises on purpose is a {@link WeftError} with a stable string code.
 * Codes are part of the public contract: apps, peers and tests switch on them, so they never change meaning.
 */

/** Stable error codes. Adding one is fine; renaming one is a breaking change. */
export const ERROR_CODES = [
  'E_SIGNATURE',
  'E_HASH',
  'E_DECODE',
  'E_TOO_LARGE',
  'E_PERMISSION',
  'E_SCHEMA',
  'E_VALIDATION',
  'E_EQUIVOCATION',
  'E_QUOTA',
  'E_PROTOCOL',
  'E_CLOSED',
  'E_WRONG_DB',
  'E_SEQ',
  'E_CAUSALITY',
  'E_PENDING_FULL',
  'E_NOT_FOUND',
  'E_INVALID_ARGUMENT',
  'E_STORAGE',
  'E_KEY',
  'E_INTERNAL',
  'E_UNSUPPORTED_VERSION',
  /** An edit names a version of a text field the worker no longer holds; reload the field. */
  'E_STALE',
  /**
   * A change breaks its database's end-to-end encryption: clear content in an encrypted
   * database, ciphertext that does not open with its epoch key, or seal ops in a clear one.
   */
  'E_ENCRYPTION',
] as const;

/** One of {@link ERROR_CODES}. */
export type WeftErrorCode = (typeof ERROR_CODES)[number];

/** The plain-data form of a {@link WeftError}: survives structured clone, JSON and comlink. */
export interface WeftErrorData {
  readonly weftError: 1;
  readonly code: WeftErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** The one error class Weft throws and rejects with. Match on `code`, never on `message`. */
export class WeftError extends Error {
  override readonly name = 'WeftError';
  readonly code: WeftErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: WeftErrorCode, message: string, details?: Record<string, unknown>) {
    super(`${code}: ${message}`);
    this.code = code;
    this.details = details;
  }

  /** Plain data for crossing a worker or network boundary, where error classes are lost. */
  toData(): WeftErrorData {
    const message = this.message.startsWith(`${this.code}: `) ? this.message.slice(this.code.length + 2) : this.message;
    return this.details === undefined
      ? { weftError: 1, code: this.code, message }
      : { weftError: 1, code: this.code, message, details: this.details };
  }

  /** Rebuilds a WeftError from {@link WeftErrorData}; unknown codes become `E_INTERNAL`. */
  static fromData(data: WeftErrorData): WeftError {
    const code: WeftErrorCode = (ERROR_CODES as readonly string[]).includes(data.code) ? data.code : 'E_INTERNAL';
    return new WeftError(code, String(data.message), data.details);
  }
}

/** True when `value` is the plain-data form of a WeftError. */
export function isWeftErrorData(value: unknown): value is WeftErrorData {
  return typeof value === 'object' && value !== null && (value as { weftError?: unknown }).weftError === 1;
}

/** True when `err` is a WeftError, optionally with the given code. */
export function isWeftError(err: unknown, code?: WeftErrorCode): err is WeftError {
  return err instanceof WeftError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into a WeftError, keeping WeftErrors as they are. */
export function toWeftError(err: unknown, fallback: WeftErrorCode = 'E_INTERNAL'): WeftError {
  if (err instanceof WeftError) return err;
  if (isWeftErrorData(err)) return WeftError.fromData(err);
  const message = err instanceof Error ? err.message : String(err);
  return new WeftError(fallback, message);
}
