/**
 * Test-only: a deliberately naive FugueMax text, one array slot per character, straight from the
 * "YjsMod" integration of josephg/reference-crdts. The real implementation must order every
 * element exactly like this one.
 */
import { type Ref, parseOp } from './op.ts';

interface Item {
  readonly agent: string;
  readonly counter: number;
  readonly ch: string;
  deleted: boolean;
  readonly ol: Ref | null;
  readonly or: Ref | null;
}

/** The naive reference text. */
export class ReferenceText {
  private readonly items: Item[] = [];

  private find(ref: Ref | null, missing: number): number {
    if (ref === null) return missing;
    const i = this.items.findIndex((it) => it.agent === ref.agent && it.counter === ref.counter);
    if (i < 0) throw new Error('reference: unknown id');
    return i;
  }

  private integrate(item: Item): void {
    const left = this.find(item.ol, -1);
    const right = this.find(item.or, this.items.length);
    let dest = left + 1;
    let scanning = false;
    for (let i = dest; ; i++) {
      if (!scanning) dest = i;
      if (i === this.items.length || i === right) break;
      const other = this.items[i]!;
      const oleft = this.find(other.ol, -1);
      const oright = this.find(other.or, this.items.length);
      if (oleft < left) break;
      if (oleft === left) {
        if (oright < right) scanning = true;
        else if (oright === right) {
          const first = item.agent < other.agent || (item.agent === other.agent && item.counter < other.counter);
          if (first) break;
          scanning = false;
        } else scanning = false;
      }
    }
    this.items.splice(dest, 0, item);
  }

  /** Applies a text op payload authored by `agent`. */
  apply(op: unknown, agent: string, counterStart: number): void {
    const p = parseOp(op, agent);
    if (p.k === 'i') {
      [...(p.v as string)].forEach((ch, k) => {
        const ol = k === 0 ? p.l : { agent, counter: counterStart + k - 1 };
        this.integrate({ agent, counter: counterStart + k, ch, deleted: false, ol, or: p.r });
      });
    } else if (p.k === 'd') {
      p.d.forEach((r, i) => {
        for (let c = r.counter; c < r.counter + p.lens[i]!; c++)
          this.items[this.find({ agent: r.agent, counter: c }, -1)]!.deleted = true;
      });
    }
  }

  /** The visible text. */
  toString(): string {
    return this.items
      .filter((it) => !it.deleted)
      .map((it) => it.ch)
      .join('');
  }
}
