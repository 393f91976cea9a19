/**
 * The X25519 secret of a replica's identity, derived from its exported ed25519 seed once per
 * identity. Opening content runs synchronously inside the commit section (replica/core.ts
 * invariant 5) while exporting a seed is async, so the secret is derived when a replica opens.
 */
import { exportIdentity, type Identity } from '../crypto/identity.ts';
import { agreementSecretKey } from './key-wrap.ts';

const cache = new WeakMap<Identity, Promise<Uint8Array | undefined>>();

/**
 * The identity's X25519 secret, or undefined when its seed cannot be exported (an identity not
 * made by crypto/identity.ts): such a replica reads an encrypted database like a relay does.
 */
export function agreementSecretOf(identity: Identity): Promise<Uint8Array | undefined> {
  let p = cache.get(identity);
  if (p === undefined) {
    p = exportIdentity(identity).then(
      (e) => {
        const secret = agreementSecretKey(e.secretKey);
        e.secretKey.fill(0);
        return secret;
      },
      () => undefined,
    );
    cache.set(identity, p);
  }
  return p;
}
