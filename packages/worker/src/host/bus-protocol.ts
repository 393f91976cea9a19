/**
 * Messages between dedicated workers on the leader bus (a BroadcastChannel), used where
 * SharedWorker is missing. Followers send requests to whoever leads; the leader answers and
 * pushes to the follower by id; a new leader announces itself so followers re-send.
 */
import type { HostApi, Push, Result } from '../protocol/host-api.ts';

/** The bus channel name. */
export const BUS = 'weft-host-bus';
/** The Web Lock whose holder is the leader. */
export const LEADER_LOCK = 'weft-host-leader';

/** A follower's request. */
export interface BusRequest {
  readonly k: 'req';
  readonly from: string;
  readonly rid: number;
  readonly m: keyof HostApi;
  readonly a: readonly unknown[];
}
/** The leader's answer. */
export interface BusResponse {
  readonly k: 'res';
  readonly to: string;
  readonly rid: number;
  readonly r: Result<unknown>;
}
/** A push to one follower. */
export interface BusPush {
  readonly k: 'push';
  readonly to: string;
  readonly p: Push;
}
/** A new leader is ready. */
export interface BusLeader {
  readonly k: 'leader';
  readonly id: string;
}

export type BusMessage = BusRequest | BusResponse | BusPush | BusLeader;
