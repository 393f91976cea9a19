/**
 * The {@link ChangeValidator} for a schema: validation (validateOps) then permission rules (the
 * auth module's RulesValidator), with local changes tagged by the schema's hash.
 */
import { RulesValidator } from '../auth/rules-validator.ts';
import { validateOps } from './validate-ops.ts';
import { translateOpsAligned } from './translate.ts';
import type { DocOp } from '../change/op.ts';
import type { Schema } from './schema.ts';

/** A validator enforcing `schema`: pass it as `createReplica({ validator })`. */
export function schemaValidator(schema: Schema): RulesValidator {
  return new RulesValidator({
    rules: schema.rules(),
    schemaHash: schema.hash,
    // A change is validated against the version it was written for.
    validate: (ops, view, hash) => validateOps((hash === null ? undefined : schema.byHash(hash)) ?? schema, ops, view),
    knowsSchema: (hash) => hash === null || schema.knows(hash),
    translate: (sc) => {
      const from = sc.change.schema === null ? undefined : schema.byHash(sc.change.schema);
      if (from === undefined || from.hash === schema.hash) return undefined;
      return translateOpsAligned(from, schema, sc.change.ops.filter((o) => o.k !== 'genesis') as DocOp[]);
    },
  });
}
