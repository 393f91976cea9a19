/**
 * Other people's cursors and selections in CodeMirror: a caret widget with the user's name and
 * a tinted selection, in their colour. Positions come from presence (resolved by the worker from
 * anchors) and are re-set whenever presence or the text changes; in between, CodeMirror maps
 * them through local edits.
 */
import { StateEffect, StateField, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';

/** One remote cursor, in UTF-16 offsets of the current doc. */
export interface RemoteCursor {
  readonly key: string;
  readonly user: string;
  readonly color: string;
  readonly anchor: number;
  readonly head: number;
}

/** Replaces the set of remote cursors. */
export const setRemoteCursors = StateEffect.define<readonly RemoteCursor[]>();

class CaretWidget extends WidgetType {
  constructor(private readonly cursor: RemoteCursor) {
    super();
  }
  override eq(other: CaretWidget): boolean {
    const a = this.cursor;
    const b = other.cursor;
    return a.key === b.key && a.user === b.user && a.color === b.color && a.head === b.head;
  }
  toDOM(): HTMLElement {
    // The name is drawn by CSS (::after, from data-user), so it is not part of the text.
    const caret = document.createElement('span');
    caret.className = 'remote-cursor';
    caret.dataset.remoteCursor = this.cursor.key;
    caret.dataset.user = this.cursor.user;
    caret.dataset.pos = String(this.cursor.head);
    caret.style.borderLeftColor = this.cursor.color;
    caret.style.setProperty('--cursor-color', this.cursor.color);
    return caret;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

function build(cursors: readonly RemoteCursor[], docLength: number): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  for (const c of cursors) {
    const head = Math.min(c.head, docLength);
    const anchor = Math.min(c.anchor, docLength);
    const from = Math.min(head, anchor);
    const to = Math.max(head, anchor);
    if (from < to)
      ranges.push(
        Decoration.mark({ class: 'remote-selection', attributes: { style: `background: ${c.color}33` } }).range(
          from,
          to,
        ),
      );
    ranges.push(Decoration.widget({ widget: new CaretWidget({ ...c, head }), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

/** The extension: a field of decorations, replaced by {@link setRemoteCursors}, mapped by edits. */
export const remoteCursors = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    let next = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setRemoteCursors)) next = build(e.value, tr.newDoc.length);
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});
