/**
 * A hosted database's network: its relay link (store-and-forward through the relay's verifying
 * peer), its direct WebRTC sessions (data channels that live in the network tab and reach the
 * worker over MessagePorts), the network tab's signaling, and the sync status both produce.
 *
 * Invariants:
 *  1. At most one WebRTC session per peer; a new channel for the same peer replaces the old.
 *  2. The relay link keeps running while WebRTC sessions exist: it is the fallback when ICE
 *     fails or a channel drops, and the persistent peer for users who are not online now.
 *  3. A dead network tab's pushes are dropped; its channels end with it (a dead page's port
 *     never reports closing).
 *  4. A channel carries sync frames only after both ends proved their keys (sync/peer-auth.ts):
 *     the relay that routed the signaling is not trusted with the peer's identity.
 */
import {
  WeftError,
  authenticatePeer,
  connectRelay,
  defaultEd25519,
  relaySyncUrl,
  type Identity,
  type RelayLink,
  type RelayLinkStatus,
  type Replica,
  type PresenceSink,
  type SocketLike,
  type SyncSession,
} from '@weft/engine';
import type { PeerStatus, Push, SyncStatus } from '../protocol/host-api.ts';
import { messagePortPeer } from '../transport/message-port-peer.ts';
import { simplePeerTransport } from '../transport/simple-peer-transport.ts';

type PushFn = (push: Push, transfer: Transferable[]) => void;

const AUTHOR = /^[0-9a-f]{64}$/;

/** The network of one database. */
export class DbNetwork {
  private relay: { readonly url: string; readonly link: RelayLink; status: RelayLinkStatus } | undefined;
  private readonly webrtc = new Map<string, SyncSession>();
  /** Which network tab piped each channel: its channels die with it. */
  private readonly owners = new Map<string, PushFn>();
  private readonly watchers = new Set<PushFn>();

  constructor(
    private readonly name: string,
    private readonly replica: Replica,
    private readonly identity: Identity,
    private readonly openSocket: (url: string) => SocketLike,
    /** Something changed that the status shows. */
    private readonly changed: () => void,
    /** Where presence from peers goes; every session also carries ours (presence-hub.ts). */
    private readonly presence?: PresenceSink,
  ) {}

  private push(p: Push): void {
    for (const w of this.watchers) {
      try {
        w(p, []);
      } catch {
        this.watchers.delete(w); // invariant 3
      }
    }
  }

  /** Starts syncing through the relay at `url` (once; later URLs are ignored). */
  linkRelay(url: string): void {
    if (this.relay !== undefined) return;
    if (!/^(https?|wss?):\/\/\S+$/.test(url))
      throw new WeftError('E_INVALID_ARGUMENT', 'relay must be an http(s) or ws(s) URL');
    const link = connectRelay({
      replica: this.replica,
      identity: this.identity,
      url: relaySyncUrl(url, this.replica.dbId),
      openSocket: this.openSocket,
      ...(this.presence === undefined ? {} : { sync: { presence: this.presence } }),
      onStatus: (s) => {
        const before = this.relay?.status.peers;
        if (this.relay !== undefined) this.relay.status = s;
        if (before !== s.peers) this.push({ weft: 'net', name: this.name, kind: 'peers', peers: s.peers });
        this.changed();
      },
      onSignal: (from, data) => this.push({ weft: 'net', name: this.name, kind: 'signal', from, data }),
    });
    this.relay = { url, link, status: link.status };
  }

  /** The device went offline or came back. */
  setOnline(online: boolean): void {
    if (online) this.relay?.link.resume();
    else this.relay?.link.pause();
  }

  /** Adds a network tab; it hears the current room at once. */
  watch(push: PushFn): void {
    this.watchers.add(push);
    push({ weft: 'net', name: this.name, kind: 'peers', peers: this.relay?.status.peers ?? [] }, []);
  }

  /** A network tab is gone: its channels went with it (a dead page's port never says so). */
  unwatch(push: PushFn): void {
    this.watchers.delete(push);
    for (const [peer, owner] of this.owners)
      if (owner === push) {
        this.owners.delete(peer);
        this.webrtc.get(peer)?.close();
      }
  }

  /** Relays a signaling message from the network tab. */
  signal(to: string, data: unknown): void {
    if (!AUTHOR.test(to)) throw new WeftError('E_INVALID_ARGUMENT', 'a peer is a 64-hex author id');
    if (this.relay === undefined || !this.relay.link.signal(to, data))
      throw new WeftError('E_CLOSED', 'not connected to a relay for signaling');
  }

  /** Syncs with `peer` over a data channel piped through `port` (invariant 1). */
  attachPeer(peer: string, port: MessagePort, owner?: PushFn): void {
    if (!AUTHOR.test(peer)) throw new WeftError('E_INVALID_ARGUMENT', 'a peer is a 64-hex author id');
    if (typeof port !== 'object' || port === null || typeof port.postMessage !== 'function')
      throw new WeftError('E_INVALID_ARGUMENT', 'attachPeer needs a MessagePort');
    this.webrtc.get(peer)?.close();
    const raw = simplePeerTransport(messagePortPeer(port), { kind: 'webrtc' });
    // Invariant 4: the channel carries sync only once both ends proved their keys.
    void defaultEd25519()
      .then((ed) =>
        authenticatePeer(raw, {
          identity: this.identity,
          port: ed,
          db: this.replica.dbId,
          peer,
          random: (n) => crypto.getRandomValues(new Uint8Array(n)),
        }),
      )
      .then(
        (transport) => {
          const session = this.replica.sync(transport, {
            peer,
            ...(this.presence === undefined ? {} : { presence: this.presence }),
          });
          this.webrtc.get(peer)?.close();
          this.webrtc.set(peer, session);
          if (owner !== undefined) this.owners.set(peer, owner);
          transport.onClose(() => {
            if (this.webrtc.get(peer) === session) this.webrtc.delete(peer);
            this.changed();
          });
          this.changed();
        },
        () => this.changed(),
      );
  }

  /** The sync status: WebRTC peers, the relay, and room peers reached only through it. */
  status(): SyncStatus {
    const vv = this.replica.versionVector();
    // The log's size, not `changes().length`: that sorts every change, and status is computed
    // after every commit (100,000 changes made each write cost a sort in the worker).
    const changes = this.replica.internals.log.size;
    const direct: PeerStatus[] = [...this.webrtc].map(([id, s]) => ({
      id,
      transport: 'webrtc',
      state: s.settled ? 'synced' : 'syncing',
      bytesIn: s.stats.bytesIn,
      bytesOut: s.stats.bytesOut,
      lag: s.lag,
      lastSeen: this.lastSeen(id, s.stats.bytesIn),
    }));
    const r = this.relay?.status;
    if (r === undefined)
      return {
        state: direct.length > 0 ? 'online' : 'local',
        changes,
        pending: vv[this.replica.author] ?? 0,
        peers: direct,
      };
    const online = (r.state === 'syncing' || r.state === 'synced') && r.error !== 'offline';
    const relayPeer: PeerStatus = {
      id: `relay:${this.relay!.url}`,
      transport: 'relay',
      state: r.state,
      bytesIn: r.bytesIn,
      bytesOut: r.bytesOut,
      lag: r.lag,
      lastSeen: this.lastSeen(`relay:${this.relay!.url}`, r.bytesIn),
    };
    const viaRelay: PeerStatus[] = online
      ? r.peers
          .filter((id) => !this.webrtc.has(id))
          .map((id) => ({ id, transport: 'relay', state: r.state, bytesIn: 0, bytesOut: 0, lag: 0, lastSeen: null }))
      : [];
    return {
      state: online || direct.length > 0 ? 'online' : 'offline',
      changes,
      pending: r.pending,
      peers: [relayPeer, ...direct, ...viaRelay],
    };
  }

  /** When each peer's received bytes last grew, as status computations saw it. */
  private readonly seen = new Map<string, { readonly bytesIn: number; readonly at: number }>();

  /**
   * A peer's `lastSeen`: the time its bytes-in were first seen grown. Status is computed on every
   * change the network reports (debounced 50 ms), so this is close to the last frame's arrival.
   */
  private lastSeen(id: string, bytesIn: number): number | null {
    const s = this.seen.get(id);
    if (bytesIn <= (s?.bytesIn ?? 0)) return s?.at ?? null;
    const at = Date.now();
    this.seen.set(id, { bytesIn, at });
    return at;
  }

  close(): void {
    this.relay?.link.close();
    for (const s of this.webrtc.values()) s.close();
    this.webrtc.clear();
    this.watchers.clear();
  }
}
