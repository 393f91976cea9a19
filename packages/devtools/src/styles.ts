/**
 * The panel's styles, inline: the devtools ship as source into any app, so they bring no CSS
 * file and cannot collide with the app's class names.
 */
import type { CSSProperties } from 'react';

/** Row height of the virtual lists, in px (fixed: measuring 100,000 rows would cost). */
export const ROW_HEIGHT = 26;

export const styles = {
  toggle: {
    position: 'fixed',
    right: 12,
    bottom: 12,
    zIndex: 2147483646,
    font: '600 12px system-ui, sans-serif',
    padding: '6px 10px',
    borderRadius: 6,
    border: '1px solid #555',
    background: '#1f2937',
    color: '#fff',
    cursor: 'pointer',
  },
  panel: {
    position: 'fixed',
    left: 0,
    right: 0,
    bottom: 0,
    height: '48vh',
    zIndex: 2147483645,
    display: 'flex',
    flexDirection: 'column',
    background: '#fff',
    color: '#111',
    borderTop: '2px solid #1f2937',
    font: '12px ui-monospace, SFMono-Regular, Menlo, monospace',
    boxShadow: '0 -4px 16px rgba(0,0,0,.15)',
  },
  tabs: { display: 'flex', gap: 2, padding: '4px 6px', background: '#f3f4f6', borderBottom: '1px solid #ddd' },
  tab: { padding: '4px 10px', border: '1px solid transparent', borderRadius: 4, background: 'none', cursor: 'pointer' },
  tabActive: { background: '#fff', border: '1px solid #ccc', fontWeight: 600 },
  body: { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', overflow: 'hidden' },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center', padding: '4px 6px' },
  scroll: { flex: 1, minHeight: 0, overflow: 'auto', position: 'relative' },
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: 8,
    height: ROW_HEIGHT,
    padding: '0 6px',
    borderBottom: '1px solid #f0f0f0',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  },
  error: { color: '#b91c1c', padding: '4px 6px', fontWeight: 600 },
  badge: { padding: '0 5px', borderRadius: 3, fontSize: 11 },
  pre: { margin: 0, padding: 6, whiteSpace: 'pre-wrap', wordBreak: 'break-all' },
  split: { display: 'flex', flex: 1, minHeight: 0 },
  column: { display: 'flex', flexDirection: 'column', minWidth: 0, overflow: 'auto', borderRight: '1px solid #eee' },
  small: { fontSize: 11, color: '#555' },
} satisfies Record<string, CSSProperties>;

/** Badge colours per change status. */
export const STATUS_COLORS: Readonly<Record<string, string>> = {
  applied: '#dcfce7',
  pending: '#fef9c3',
  rejected: '#fee2e2',
  rolledBack: '#fde68a',
};
