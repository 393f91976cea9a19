/** Display helpers shared by the panel's tabs: short keys, HLCs and values as text. */
import type { Hlc } from '@weft/engine';

/** The first 8 hex digits of a hash or key: enough to tell changes apart on screen. */
export function short(hex: string): string {
  return hex.slice(0, 8);
}

/** An HLC as wall time (UTC, ms) plus its counter. */
export function formatHlc(hlc: Hlc): string {
  const t = new Date(hlc.ms).toISOString().slice(11, 23);
  return hlc.c === 0 ? t : `${t}+${hlc.c}`;
}

function replacer(_key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes(${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')})`;
  return v;
}

/** A value as JSON text; bytes shown as hex. */
export function formatValue(v: unknown, indent?: number): string {
  if (v === undefined) return '';
  return JSON.stringify(v, replacer, indent) ?? String(v);
}

/** An author as its short key, with the app's name for it when known. */
export function authorLabel(
  author: string,
  names: Readonly<Record<string, string>> | undefined,
  self?: string,
): string {
  const name = names?.[author] ?? (author === self ? 'you' : undefined);
  return name === undefined ? short(author) : `${short(author)} ${name}`;
}

/** A stable colour per lane. */
export function laneColor(lane: number): string {
  return `hsl(${(lane * 137) % 360} 65% 45%)`;
}
