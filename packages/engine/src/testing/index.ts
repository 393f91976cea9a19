/** Test helpers for Weft adapters and hosts. Import from `@weft/engine/testing`, never from app code. */
export { runStorageAdapterTests, type StorageAdapterTestOptions } from './storage-conformance.ts';
export { expectWeftError } from './storage-conformance-helpers.ts';
export * from './random.ts';
export * from './simulated-network.ts';
