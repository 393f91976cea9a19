/**
 * Binds a CodeMirror view to a Weft text observer, both ways: the user's changes become
 * code point edits sent through the observer (versioned and transformed by the host), and
 * remote edits are applied to CodeMirror as minimal changes, so the local cursor stays put.
 */
import { Annotation, Transaction, type ChangeSpec } from '@codemirror/state';
import { EditorView, type ViewUpdate } from '@codemirror/view';
import { codePointLength, codePointOffset, utf16Offset, type TextEdit, type TextObserver } from '@weft/worker';

/** Marks transactions that carry remote edits, so they are not sent back. */
export const remoteEdit = Annotation.define<boolean>();

/** The user's changes in `tr` as code point edits, applied one after another. */
export function editsOf(tr: Transaction): TextEdit[] {
  const edits: TextEdit[] = [];
  const after = tr.newDoc;
  tr.changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    // Changes come left to right: everything before fromB is already as in the new doc.
    const at = codePointLength(after.sliceString(0, fromB));
    const removed = codePointLength(tr.startState.doc.sliceString(fromA, toA));
    if (removed > 0) edits.push(['d', at, removed]);
    const text = inserted.toString();
    if (text.length > 0) edits.push(['i', at, text]);
  });
  return edits;
}

/** Marks the edits one view is sending, so that view does not apply them a second time. */
export interface Sending {
  active: boolean;
}

/** A CodeMirror extension that sends local changes to `observer`. */
export function sendLocalEdits(observer: TextObserver, sending: Sending) {
  return EditorView.updateListener.of((u: ViewUpdate) => {
    for (const tr of u.transactions) {
      if (!tr.docChanged || tr.annotation(remoteEdit) === true) continue;
      sending.active = true;
      try {
        observer.edit(editsOf(tr));
      } finally {
        sending.active = false;
      }
    }
  });
}

/**
 * Applies every edit of the observer that this view did not make (remote ones, and this tab's
 * own made elsewhere, e.g. another view of the same field) to `view`; returns the unsubscribe.
 */
export function applyRemoteEdits(view: EditorView, observer: TextObserver, sending: Sending): () => void {
  return observer.onEdits((edits, reset) => {
    if (sending.active) return; // this view made them
    if (reset) {
      const doc = view.state.doc.toString();
      if (doc !== observer.text)
        view.dispatch({
          changes: { from: 0, to: doc.length, insert: observer.text },
          annotations: remoteEdit.of(true),
        });
      return;
    }
    // Edits are sequential: convert each against the doc as the previous one left it.
    let doc = view.state.doc.toString();
    const changes: ChangeSpec[] = [];
    for (const e of edits) {
      const from = utf16Offset(doc, e[1]);
      if (e[0] === 'i') {
        changes.push({ from, insert: e[2] });
        doc = doc.slice(0, from) + e[2] + doc.slice(from);
      } else {
        const to = utf16Offset(doc, e[1] + e[2]);
        changes.push({ from, to });
        doc = doc.slice(0, from) + doc.slice(to);
      }
    }
    const annotations = [remoteEdit.of(true), Transaction.addToHistory.of(false)];
    for (const c of changes) view.dispatch({ changes: c, annotations });
    // The observer is the truth: should the view ever disagree, show the observer's text.
    const now = view.state.doc.toString();
    if (now !== observer.text) {
      console.warn('weft notes: editor out of step with its text; reloading the view');
      view.dispatch({ changes: { from: 0, to: now.length, insert: observer.text }, annotations });
    }
  });
}

/** The code point index of UTF-16 offset `pos` in the view's doc. */
export function cpAt(view: EditorView, pos: number): number {
  return codePointOffset(view.state.doc.sliceString(0, pos), pos);
}
