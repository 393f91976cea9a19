/**
 * Sequence CRDTs for `text` and `list<T>`: FugueMax over run-length encoded runs.
 * The design, its rationale and its invariants are in sequence-core.ts.
 */
export { Text } from './text.ts';
export { List } from './list.ts';
export type { Anchor } from './anchor.ts';
export {
  DELETE,
  INSERT,
  MOVE,
  insertCount,
  type DeleteOp,
  type IdRef,
  type InsertOp,
  type MoveOp,
  type SeqOp,
} from './op.ts';
export {
  CHANGE_STRIDE,
  EditFolder,
  type Burst,
  type EditFolderOptions,
  type FoldTarget,
  type FoldedEdit,
  type FolderTimer,
  type MoveTarget,
} from './edit-folder.ts';
