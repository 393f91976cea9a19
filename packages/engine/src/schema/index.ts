/**
 * The schema module: the DSL (`defineSchema`, `collection`, field builders, rule builders),
 * TypeScript inference, the canonical form and hash, op validation, defaults and migrations.
 */
export {
  FieldBuilder,
  string,
  number,
  boolean,
  date,
  json,
  counter,
  text,
  set,
  list,
  ref,
  object,
  type AnyField,
  type FieldsShape,
} from './fields.ts';
export {
  maxLength,
  minLength,
  min,
  max,
  integer,
  pattern,
  oneOf,
  required,
  type ConstraintRule,
} from './constraints.ts';
export { collection, type CollectionDef, type CollectionOptions, type IndexDecl } from './collection.ts';
export { defineSchema, type SchemaOptions, type CollectionDefs, type ShapeOfDefs } from './define-schema.ts';
export { Schema, type SchemaIndexDefinition } from './schema.ts';
export { FIELD_KINDS, type FieldKind, type FieldSpec, type PatternSpec } from './field-spec.ts';
export type { CollectionSpec, CollectionsSpec, IndexSpec } from './collection-spec.ts';
export { SCHEMA_DOMAIN, type MigrationRecord } from './canonical-form.ts';
export { schemaFromCanonical, decodeSchema, encodeSchema } from './decode-schema.ts';
export { validateOps, type PastView } from './validate-ops.ts';
export { defaultsFor, applyDefaults } from './defaults.ts';
export {
  addField,
  renameField,
  dropField,
  changeField,
  changeRule,
  addCollection,
  dropCollection,
  type MigrationStep,
  type MigrationStepData,
  type ApplySteps,
  type AddFieldStep,
  type RenameFieldStep,
  type DropFieldStep,
  type ChangeFieldStep,
  type ChangeRuleStep,
  type AddCollectionStep,
  type DropCollectionStep,
} from './migration-steps.ts';
export { translateOps, translateOpsAligned } from './translate.ts';
export {
  typed,
  type TypedTransaction,
  type SettablePath,
  type CounterPath,
  type SetPath,
} from './typed-transaction.ts';
export { schemaValidator } from './schema-validator.ts';
export type {
  InferDoc,
  InferInsert,
  InferUpdate,
  InferQueryFields,
  ReadValue,
  WriteValue,
  SchemaShape,
  FieldPaths,
} from './infer.ts';
export { rules, ruleFor, type Rule, type AllowRules, type ValueExpr, type Match, type Action } from './rule-ast.ts';
