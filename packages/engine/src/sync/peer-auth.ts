/**
 * Mutual authentication of two peers on a fresh channel, before any sync frame (DESIGN §8): each
 * side sends a random challenge, answers the other's by signing it together with the database
 * and both author ids, and checks the other's answer against the key it expected (the relay
 * authenticated both ends when it routed their signaling, so each side knows whom it dialed).
 * A man in the middle of the channel cannot answer for a key it does not hold, and an answer
 * is bound to this database, this pair and this challenge, so it cannot be replayed.
 *
 * Invariants:
 *  1. No frame reaches the sync session before both proofs verified; then the wrapped transport
 *     delivers every later frame, in order.
 *  2. A bad proof, a malformed first frame, or no proof within `timeoutMs` closes the channel
 *     with `E_SIGNATURE`/`E_PROTOCOL`, and the promise rejects with that error.
 */
import { WeftError } from '../errors.ts';
import { fromHex, toHex, utf8 } from '../bytes.ts';
import { decode, encode } from '../encoding/canonical.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';
import { host } from '../host.ts';
import type { Transport } from './transport.ts';

/** Domain separator of a peer proof. */
export const PEER_AUTH_DOMAIN = 'weft-peer-auth-v1';

/** Options for {@link authenticatePeer}. */
export interface PeerAuthOptions {
  readonly identity: Identity;
  readonly port: Ed25519Port;
  readonly db: string;
  /** The author this side expects at the other end. */
  readonly peer: string;
  readonly random: (n: number) => Uint8Array;
  readonly timeoutMs?: number;
}

function proofMessage(db: string, prover: string, verifier: string, nonce: Uint8Array): Uint8Array {
  return utf8(`${PEER_AUTH_DOMAIN}\n${db}\n${prover}\n${verifier}\n${toHex(nonce)}`);
}

/** Runs the handshake on `t`; resolves with a transport carrying only what follows it. */
export function authenticatePeer(t: Transport, o: PeerAuthOptions): Promise<Transport> {
  const mine = o.random(32);
  let theirs: Uint8Array | undefined;
  let proven = false;
  let proofSeen = false;
  let done = false;
  const queued: Uint8Array[] = [];
  let deliver: ((f: Uint8Array) => void) | undefined;

  return new Promise<Transport>((resolve, reject) => {
    const fail = (e: WeftError): void => {
      if (done) return;
      done = true;
      host.clearTimeout(timer);
      t.close();
      reject(e);
    };
    const timer = host.setTimeout(
      () => fail(new WeftError('E_PROTOCOL', 'peer did not authenticate in time')),
      o.timeoutMs ?? 10_000,
    );
    const finish = (): void => {
      if (done || !proven || theirs === undefined) return;
      done = true;
      host.clearTimeout(timer);
      resolve({
        kind: t.kind,
        send: (f) => t.send(f),
        onMessage(h) {
          deliver = h;
          while (queued.length > 0 && deliver === h) h(queued.shift()!);
        },
        onClose: (h) => t.onClose(h),
        close: () => t.close(),
      });
    };
    t.onClose((reason) => fail(reason ?? new WeftError('E_CLOSED', 'channel closed during authentication')));
    t.onMessage((frame) => {
      // The peer may start syncing while our check of its proof is still running: keep those.
      if (done || (proofSeen && theirs !== undefined)) {
        if (deliver === undefined) queued.push(frame);
        else deliver(frame);
        return;
      }
      let m: { t?: unknown; nonce?: unknown; author?: unknown; sig?: unknown };
      try {
        m = decode(frame) as typeof m;
      } catch {
        fail(new WeftError('E_PROTOCOL', 'malformed authentication frame'));
        return;
      }
      if (m.t === 'peer-challenge' && m.nonce instanceof Uint8Array && m.nonce.length === 32 && theirs === undefined) {
        const nonce = m.nonce;
        theirs = nonce;
        void o.identity.sign(proofMessage(o.db, o.identity.author, o.peer, nonce)).then(
          (sig) => {
            t.send(encode({ t: 'peer-proof', author: o.identity.author, sig }));
            finish();
          },
          (err: unknown) => fail(new WeftError('E_KEY', String(err))),
        );
      } else if (m.t === 'peer-proof' && typeof m.author === 'string' && m.sig instanceof Uint8Array && !proofSeen) {
        proofSeen = true;
        if (m.author !== o.peer) {
          fail(new WeftError('E_SIGNATURE', 'the peer is not the author it was dialed as'));
          return;
        }
        const sig = m.sig;
        void o.port.verify(fromHex(o.peer), proofMessage(o.db, o.peer, o.identity.author, mine), sig).then((ok) => {
          if (!ok) return fail(new WeftError('E_SIGNATURE', 'peer proof does not verify'));
          proven = true;
          finish();
        });
      } else fail(new WeftError('E_PROTOCOL', 'unexpected authentication frame'));
    });
    t.send(encode({ t: 'peer-challenge', nonce: mine }));
  });
}
