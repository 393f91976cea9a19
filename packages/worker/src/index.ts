export { openIndexedDbStorage, type IndexedDbStorageOptions } from './storage/indexeddb-storage.ts';
