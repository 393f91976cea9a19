/**
 * The body of a note in CodeMirror 6, co-edited live: local changes go through the worker's
 * versioned text path, remote ones arrive as minimal changes, and everyone else's cursor and
 * selection are drawn in their colour. Read-only for viewers.
 */
import { useEffect, useMemo, useRef } from 'react';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { usePresence, useText, useWeftClient } from '@weft/react';
import { utf16Offset, type PresenceInput, type TextObserver } from '@weft/worker';
import { applyRemoteEdits, cpAt, sendLocalEdits, type Sending } from './text-binding.ts';
import { remoteCursors, setRemoteCursors, type RemoteCursor } from './remote-cursors.ts';
import type { Me } from './me.ts';

function editable(readOnly: boolean) {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

/** Tells everyone where this tab's selection is (anchored by the worker). */
function sharePresence(view: EditorView, observer: TextObserver, me: Me, set: (p: PresenceInput) => void): void {
  const { sub, v } = observer.version;
  if (sub === undefined || !observer.getSnapshot().ready) return;
  const sel = view.state.selection.main;
  set({
    user: me.user,
    color: me.color,
    cursor: { sub, v, anchor: observer.toHost(cpAt(view, sel.anchor)), head: observer.toHost(cpAt(view, sel.head)) },
  });
}

export function NoteEditor({ noteId, readOnly, me }: { noteId: string; readOnly: boolean; me: Me }) {
  const client = useWeftClient();
  const { state, observer } = useText('notes', noteId, 'body');
  const peers = usePresence();
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const mode = useMemo(() => new Compartment(), []);
  const meRef = useRef(me);
  meRef.current = me;
  const shareRef = useRef<(() => void) | null>(null);
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;

  useEffect(() => {
    if (observer === null || !state.ready || parent.current === null) return;
    // While this tab's edits are unacknowledged, its cursor can only be placed approximately in
    // the host's version; say it again once they are in.
    let again: ReturnType<typeof setTimeout> | undefined;
    const share = (): void => {
      sharePresence(v, observer, meRef.current, (p) => client.presence.set(p));
      clearTimeout(again);
      if (observer.version.pending) again = setTimeout(share, 100);
    };
    shareRef.current = share;
    const sending: Sending = { active: false };
    const v = new EditorView({
      parent: parent.current,
      state: EditorState.create({
        doc: observer.text,
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          mode.of(editable(readOnlyRef.current)),
          remoteCursors,
          sendLocalEdits(observer, sending),
          EditorView.updateListener.of((u) => {
            if (u.selectionSet || u.docChanged || u.focusChanged) share();
          }),
        ],
      }),
    });
    const stop = applyRemoteEdits(v, observer, sending);
    view.current = v;
    share();
    return () => {
      shareRef.current = null;
      clearTimeout(again);
      stop();
      v.destroy();
      view.current = null;
      client.presence.set({ user: meRef.current.user, color: meRef.current.color, cursor: null });
    };
  }, [client, observer, state.ready, mode]);

  // A new display name or colour reaches the others at once.
  useEffect(() => shareRef.current?.(), [me.user, me.color]);

  useEffect(() => {
    view.current?.dispatch({ effects: mode.reconfigure(editable(readOnly)) });
  }, [readOnly, mode, state.ready]);

  // Everyone else's cursors in this note, moved over this tab's unacknowledged edits.
  useEffect(() => {
    const v = view.current;
    if (v === null || observer === null) return;
    const text = v.state.doc.toString();
    const cursors: RemoteCursor[] = [];
    for (const p of peers) {
      const c = p.cursor;
      if (c === null || c.c !== 'notes' || c.d !== noteId || c.f !== 'body') continue;
      const anchor = observer.fromHost(c.v, c.anchor);
      const head = observer.fromHost(c.v, c.head);
      if (anchor === undefined || head === undefined) continue;
      cursors.push({
        key: p.key,
        user: p.user,
        color: p.color,
        anchor: utf16Offset(text, anchor),
        head: utf16Offset(text, head),
      });
    }
    v.dispatch({ effects: setRemoteCursors.of(cursors) });
  }, [peers, state.text, observer, noteId]);

  if (state.error !== undefined) return <div className="error">Could not open the note: {state.error.message}</div>;
  return (
    <div className={`note-body${readOnly ? ' read-only' : ''}`} data-read-only={readOnly} ref={parent}>
      {!state.ready && <div className="loading">Loading…</div>}
    </div>
  );
}
