/** Who this user is on screen: a display name (kept in localStorage) and a colour from their key. */

/** The local user's display identity. */
export interface Me {
  readonly user: string;
  readonly color: string;
}

const PALETTE = ['#d1495b', '#00798c', '#edae49', '#66a182', '#8d5a97', '#2e4057', '#e07a5f', '#3d405b'];

/** A stable colour for an author key. */
export function colorOf(author: string): string {
  return PALETTE[Number.parseInt(author.slice(0, 6), 16) % PALETTE.length]!;
}

/** The stored display name, or one made from the key. */
export function loadName(author: string): string {
  return localStorage.getItem('weft-notes-name') ?? `user-${author.slice(0, 6)}`;
}

/** Remembers the display name. */
export function saveName(name: string): void {
  localStorage.setItem('weft-notes-name', name);
}
