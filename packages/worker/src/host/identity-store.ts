/**
 * This origin's signing identity, kept in its own IndexedDB database so every database name and
 * every tab signs as the same user. The stored form is the exported string (identity.ts), so
 * the user can export it for backup or another device.
 */
import { openDB } from 'idb';
import {
  decodeExportedIdentity,
  encodeExportedIdentity,
  exportIdentity,
  generateIdentity,
  importIdentity,
  type Identity,
} from '@weft/engine';

const DB_NAME = 'weft-identity';
const STORE = 'keys';
const KEY = 'default';

/** Loads or creates identities, once per host. */
export class IdentityStore {
  private current: Promise<Identity> | undefined;

  private open() {
    return openDB(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });
  }

  /** The stored identity, or a new one stored now; `given` (exported) is used and stored if none is. */
  get(given?: string | null): Promise<Identity> {
    if (given !== undefined && given !== null) return this.adopt(given);
    this.current ??= this.loadOrCreate();
    return this.current;
  }

  private async adopt(given: string): Promise<Identity> {
    const identity = await importIdentity(decodeExportedIdentity(given));
    const db = await this.open();
    try {
      if ((await db.get(STORE, KEY)) === undefined) await db.put(STORE, given, KEY);
    } finally {
      db.close();
    }
    return identity;
  }

  private async loadOrCreate(): Promise<Identity> {
    const db = await this.open();
    try {
      const stored = (await db.get(STORE, KEY)) as string | undefined;
      if (stored !== undefined) return await importIdentity(decodeExportedIdentity(stored));
      const identity = await generateIdentity();
      // add, not put: if another host raced us, the first stored key wins and we use it.
      const text = encodeExportedIdentity(await exportIdentity(identity));
      try {
        await db.add(STORE, text, KEY);
        return identity;
      } catch {
        return await importIdentity(decodeExportedIdentity((await db.get(STORE, KEY)) as string));
      }
    } finally {
      db.close();
    }
  }

  /** The exported string of the identity in use. */
  async export(identity: Identity): Promise<string> {
    return encodeExportedIdentity(await exportIdentity(identity));
  }
}
