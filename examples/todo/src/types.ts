import type { CanonicalValue } from '@weft/engine';
/** Rows as the app reads them. */
export interface Todo {
  readonly id: string;
  readonly list: string;
  readonly title: string;
  readonly done: boolean;
  readonly order: number;
  readonly [field: string]: CanonicalValue;
}

export interface TodoList {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
  readonly [field: string]: CanonicalValue;
}
