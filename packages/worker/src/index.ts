export {
  openIndexedDbStorage,
  DEFAULT_JOURNAL_MIN_OPS,
  type IndexedDbStorage,
  type IndexedDbStorageOptions,
} from './storage/indexeddb-storage.ts';
