/**
 * @weft/worker: Weft's browser host. A SharedWorker (or, without one, a dedicated worker per
 * tab with Web Locks leader election) runs the engine over IndexedDB; pages talk to it through
 * comlink with {@link createClient}.
 */
export {
  openIndexedDbStorage,
  DEFAULT_JOURNAL_MIN_OPS,
  type IndexedDbStorage,
  type IndexedDbStorageOptions,
} from './storage/indexeddb-storage.ts';
export { createClient, WeftClient, specOf, type ClientOptions } from './client/weft-client.ts';
export { connectInPage, type InPageClient } from './client/in-page-client.ts';
export { redeemWhenSynced, type InviteRedeemer, type RedeemWhenSyncedOptions } from './client/redeem-when-synced.ts';
export { QueryObserver, type QueryState, type LiveQueryHost } from './client/query-observer.ts';
export { StatusObserver, INITIAL_STATUS } from './client/status-observer.ts';
export { TextObserver, type TextHost, type TextState, type TextEditListener } from './client/text-observer.ts';
export { PresenceObserver, type PresenceHost } from './client/presence-observer.ts';
export {
  applyEdits,
  transform as transformTextEdits,
  transformIndex,
  parseTextEdits,
  codePointLength,
  utf16Offset,
  codePointOffset,
  type TextEdit,
} from './protocol/text-ops.ts';
export { presenceInputError, type PresenceInput, type PresencePeer } from './protocol/presence-types.ts';
export { TextSessions } from './host/text-sessions.ts';
export { PresenceHub } from './host/presence-hub.ts';
export {
  connectHost,
  connectSharedWorker,
  connectDedicatedWorker,
  linkEndpoint,
  type HostLink,
} from './client/host-link.ts';
export {
  startNetworkBridge,
  type NetworkBridge,
  type NetworkBridgeOptions,
  type BrowserPeer,
  type PeerConstructor,
} from './client/network-bridge.ts';
export {
  simplePeerTransport,
  type SimplePeerLike,
  type SimplePeerTransport,
  type SimplePeerTransportOptions,
} from './transport/simple-peer-transport.ts';
export { messagePortPeer, PORT_CLOSE } from './transport/message-port-peer.ts';
export { DbNetwork } from './host/db-network.ts';
export { EngineHost, HostConnection, type EngineHostOptions, type PushFn } from './host/engine-host.ts';
export { connectionApi, serveEndpoint } from './host/serve-endpoint.ts';
export { IdentityStore } from './host/identity-store.ts';
export { MutationLedger } from './host/mutation-ledger.ts';
export {
  IntentRecorder,
  parseIntents,
  replayIntents,
  MAX_INTENTS,
  type Intent,
  type MutationTx,
} from './protocol/intents.ts';
export { encodeDiff, decodeDiff, applyDiff, type WireDiff } from './protocol/diff-codec.ts';
export * from './protocol/host-api.ts';
