/**
 * Add-wins observed-remove set.
 *
 * Invariants:
 *  1. An element is present iff it has at least one add tag that no applied remove observed.
 *  2. A remove only deletes the tags its author had observed, so an add concurrent with a remove
 *     survives (add wins).
 *  3. Tags are op ids ("<change hash>:<index>"), unique across the log.
 *  4. Removes may arrive before the adds they observed only if causality is broken; the log
 *     delivers in causal order, and `removed` remembers observed tags anyway so the result is
 *     order-independent.
 */
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { toHex } from '../bytes.ts';

/** One element with its live tags. */
export interface OrSetEntry {
  readonly v: CanonicalValue;
  readonly tags: string[];
}

/** A set's state: element key (hex of its canonical encoding) → entry. */
export interface OrSet {
  readonly t: 'set';
  readonly e: Record<string, OrSetEntry>;
  /** Tags removed before their add arrived (only outside causal delivery). */
  readonly r: string[];
}

/** An empty set. */
export function emptyOrSet(): OrSet {
  return { t: 'set', e: {}, r: [] };
}

/** The key an element is stored under: equal values give equal keys. */
export function elementKey(v: CanonicalValue): string {
  return toHex(encode(v));
}

/** Adds `v` with tag `tag` (mutates). */
export function orSetAdd(set: OrSet, v: CanonicalValue, tag: string): OrSet {
  if (set.r.includes(tag)) return set;
  const k = elementKey(v);
  const entry = set.e[k];
  if (entry === undefined) set.e[k] = { v, tags: [tag] };
  else if (!entry.tags.includes(tag)) entry.tags.push(tag);
  return set;
}

/** Removes the observed tags of `v` (mutates). */
export function orSetRemove(set: OrSet, v: CanonicalValue, observed: readonly string[]): OrSet {
  const k = elementKey(v);
  const entry = set.e[k];
  for (const tag of observed) {
    if (entry !== undefined && entry.tags.includes(tag)) entry.tags.splice(entry.tags.indexOf(tag), 1);
    else if (!set.r.includes(tag)) set.r.push(tag);
  }
  if (entry !== undefined && entry.tags.length === 0) delete set.e[k];
  return set;
}

/** Removes those of `candidates` that are live tags of `v`, remembering nothing else (mutates). */
export function orSetRemoveOwn(set: OrSet, v: CanonicalValue, candidates: readonly string[]): OrSet {
  const k = elementKey(v);
  const entry = set.e[k];
  if (entry === undefined) return set;
  const drop = new Set(candidates);
  const keep = entry.tags.filter((t) => !drop.has(t));
  if (keep.length === 0) delete set.e[k];
  else set.e[k] = { v: entry.v, tags: keep };
  return set;
}

/** The tags of `v` a remove issued now would observe. */
export function orSetTags(set: OrSet, v: CanonicalValue): string[] {
  return [...(set.e[elementKey(v)]?.tags ?? [])].sort();
}

/** The elements, in canonical order (sorted by encoded key), so every replica lists them alike. */
export function orSetValues(set: OrSet): CanonicalValue[] {
  return Object.keys(set.e)
    .sort()
    .map((k) => set.e[k]!.v);
}
