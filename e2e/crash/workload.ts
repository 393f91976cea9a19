/**
 * The crash test's mutations: large (40 docs × 8 fields of ~150 chars, ~55 KB signed), fully
 * determined by (seed, index), and each one records its own index in `progress/p.last`, so the
 * state after a crash names the last mutation it holds and can be compared with a replay.
 */
import { Rng } from '../../packages/engine/src/testing/random.ts';
import type { Transaction } from '@weft/engine';

/** Mutations per run. */
export const MUTATIONS = 200;
const DOCS = 300;
const PER_MUTATION = 40;
const FIELDS = 8;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Records mutation `i` of run `seed` into `tx`. */
export function mutate(tx: Transaction, seed: number, i: number): void {
  const rng = new Rng(`${seed}/mutation-${i}`);
  const ids = rng.shuffle(Array.from({ length: DOCS }, (_, k) => `d${k}`)).slice(0, PER_MUTATION);
  for (const id of ids) {
    if (i > 0 && rng.bool(0.1)) {
      tx.delete('docs', id);
      continue;
    }
    const fields: Record<string, string> = {};
    for (let f = 0; f < FIELDS; f++) {
      let s = `${i}-${f}-`;
      while (s.length < 150) s += ALPHABET[rng.int(ALPHABET.length)];
      fields[`f${f}`] = s;
    }
    tx.insert('docs', fields, id);
  }
  tx.update('progress', 'p', { last: i });
}
