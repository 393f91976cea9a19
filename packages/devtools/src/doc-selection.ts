/** What the panel's tabs share: the document and field in focus, and the change to view as of. */

/** A document in focus. */
export interface DocRef {
  readonly collection: string;
  readonly id: string;
}

/** Panel-wide selection, lifted to the root so one tab can open another on the same thing. */
export interface Selection {
  readonly doc: DocRef | undefined;
  readonly field: string | undefined;
  readonly at: string | undefined;
}

/** Nothing selected. */
export const NO_SELECTION: Selection = { doc: undefined, field: undefined, at: undefined };
