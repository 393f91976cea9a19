/**
 * The {@link ChangeValidator} for a schema: validation (validateOps) then permission rules (the
 * auth module's RulesValidator), with local changes tagged by the schema's hash.
 */
import { RulesValidator } from '../auth/rules-validator.ts';
import { validateOps } from './validate-ops.ts';
import type { Schema } from './schema.ts';

/** A validator enforcing `schema`: pass it as `createReplica({ validator })`. */
export function schemaValidator(schema: Schema): RulesValidator {
  return new RulesValidator({
    rules: schema.rules(),
    schemaHash: schema.hash,
    validate: (ops, view) => validateOps(schema, ops, view),
  });
}
