/**
 * Test kit for permission tests: a membership schema (root grants roles; editors and owners
 * write notes; owners may also manage memberships) and helpers to build replicas over it.
 */
import { createReplica, type Replica } from '../replica/replica.ts';
import type { Identity } from '../crypto/identity.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import { rules } from '../schema/rule-ast.ts';
import { RulesValidator } from './rules-validator.ts';
import type { DbId } from '../ids.ts';

/** members: {user, role}; notes: writable by editors/owners. Owners and root manage members. */
export const MEMBERSHIP_RULES = {
  members: { write: rules.or(rules.isRoot(), rules.hasRole('members', ['owner'])) },
  notes: { write: rules.or(rules.isRoot(), rules.hasRole('members', ['editor', 'owner'])) },
};

/** A replica enforcing {@link MEMBERSHIP_RULES}. */
export async function authReplica(
  identity: Identity,
  db: DbId | undefined,
  extra: { ed25519?: Ed25519Port; wallClock?: () => number; random?: (n: number) => Uint8Array } = {},
): Promise<Replica> {
  const validator = new RulesValidator({ rules: MEMBERSHIP_RULES, schemaHash: null });
  return db === undefined
    ? createReplica({ identity, create: { name: 'auth' }, validator, ...extra })
    : createReplica({ identity, db, validator, ...extra });
}

/** Copies every change `from` has into `to` (any order the caller wants: pass a permutation). */
export async function deliver(to: Replica, from: Replica): Promise<void> {
  await to.ingestMany(from.changes().map((e) => e.sc.bytes));
}
