/**
 * Permission rules as plain data. Rules are part of the schema, so they are content-hashed with
 * it and every replica evaluates exactly the same rules (no closures).
 *
 * A rule is evaluated for one op of one change, against the state at the change's causal past
 * (auth/evaluator.ts). Value expressions name where a value comes from.
 */

/** Where a value in a rule comes from. */
export type ValueExpr =
  /** The author of the change being judged (64-char hex). */
  | { readonly v: 'author' }
  /** The id of the document the op targets. */
  | { readonly v: 'docId' }
  /** A field of the target document: its value after the op for create/update, before it for delete. */
  | { readonly v: 'field'; readonly path: string }
  /** A field of the target document as it was before this change. */
  | { readonly v: 'oldField'; readonly path: string }
  /** A literal. */
  | { readonly v: 'const'; readonly value: string | number | boolean | null };

/** A lookup condition on one field of a candidate doc: equal to an expression, or one of several literals. */
export type Match = ValueExpr | { readonly in: readonly (string | number | boolean | null)[] };

/** A permission rule. */
export type Rule =
  | { readonly r: 'allow' }
  | { readonly r: 'deny' }
  | { readonly r: 'and'; readonly of: readonly Rule[] }
  | { readonly r: 'or'; readonly of: readonly Rule[] }
  | { readonly r: 'not'; readonly of: Rule }
  /** The author is the database creator (the root of authority). */
  | { readonly r: 'isRoot' }
  /** The author created the target document (wrote its first change). For create: always true. */
  | { readonly r: 'isCreator' }
  /** Two expressions are equal (e.g. the `owner` field equals the author). */
  | { readonly r: 'eq'; readonly a: ValueExpr; readonly b: ValueExpr }
  /**
   * EXISTS: some visible document of `collection` matches every condition in `where`. This is how
   * memberships and role grants are expressed; deleting or changing such a document is a revocation.
   */
  | { readonly r: 'exists'; readonly collection: string; readonly where: Readonly<Record<string, Match>> }
  /**
   * Inheritance through a ref: the author may perform `action` on the document whose id is in
   * `field` (in collection `collection`), as judged by that collection's rules.
   */
  | {
      readonly r: 'can';
      readonly action: 'update' | 'delete' | 'create';
      readonly collection: string;
      readonly field: string;
    };

/** Rules per action; `write` is the default for create, update and delete. */
export interface AllowRules {
  readonly create?: Rule;
  readonly update?: Rule;
  readonly delete?: Rule;
  readonly write?: Rule;
}

/** The action an op performs on its document. */
export type Action = 'create' | 'update' | 'delete';

/** The rule that governs `action`: the specific one, else `write`, else `allow`. */
export function ruleFor(rules: AllowRules | undefined, action: Action): Rule {
  return rules?.[action] ?? rules?.write ?? { r: 'allow' };
}

/** Builders, so apps write `or(isOwner('owner'), hasRole(...))` instead of raw objects. */
export const rules = {
  allow: (): Rule => ({ r: 'allow' }),
  deny: (): Rule => ({ r: 'deny' }),
  and: (...of: Rule[]): Rule => ({ r: 'and', of }),
  or: (...of: Rule[]): Rule => ({ r: 'or', of }),
  not: (of: Rule): Rule => ({ r: 'not', of }),
  isRoot: (): Rule => ({ r: 'isRoot' }),
  isCreator: (): Rule => ({ r: 'isCreator' }),
  /** The author created the document (DESIGN's `isAuthor()`). */
  isAuthor: (): Rule => ({ r: 'isCreator' }),
  /** The field holds the author's key. */
  isOwner: (field: string): Rule => ({ r: 'eq', a: { v: 'field', path: field }, b: { v: 'author' } }),
  eq: (a: ValueExpr, b: ValueExpr): Rule => ({ r: 'eq', a, b }),
  exists: (collection: string, where: Record<string, Match>): Rule => ({ r: 'exists', collection, where }),
  /**
   * The author holds one of `roles` in a membership collection whose docs have `user` and `role`
   * fields, optionally scoped: the membership's `scopeField` equals the target doc's `docField`
   * (or the target's own id when `docField` is `'id'`).
   */
  hasRole: (collection: string, roles: readonly string[], scope?: { scopeField: string; docField: string }): Rule => ({
    r: 'exists',
    collection,
    where: {
      user: { v: 'author' },
      role: { in: [...roles] },
      ...(scope === undefined
        ? {}
        : { [scope.scopeField]: scope.docField === 'id' ? { v: 'docId' } : { v: 'field', path: scope.docField } }),
    },
  }),
  /**
   * Whoever may update the doc referenced by `field` may write this one (a todo inherits from its
   * list). Without `collection`, defineSchema fills in the target of `field`'s `ref` type; an
   * unresolved rule (collection `''`) names no doc, so it denies.
   */
  canWrite: (field: string, collection = ''): Rule => ({ r: 'can', action: 'update', collection, field }),
  author: (): ValueExpr => ({ v: 'author' }),
  field: (path: string): ValueExpr => ({ v: 'field', path }),
  oldField: (path: string): ValueExpr => ({ v: 'oldField', path }),
  docId: (): ValueExpr => ({ v: 'docId' }),
  value: (value: string | number | boolean | null): ValueExpr => ({ v: 'const', value }),
};
