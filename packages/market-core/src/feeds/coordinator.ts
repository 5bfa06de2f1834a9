import type { FeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import type { FeedUpdate, StreamEvent } from './types.js';

/**
 * Coordination of live feeds across instances (apps/server/src/redis/feeds.ts does it with Redis):
 * exactly one instance runs the upstream feed of a key and publishes its updates once; the others
 * relay them to their own subscribers. Without a coordinator every hub runs its own feeds.
 */
export interface FeedCoordinator {
  /** Called once by the hub it serves, so the coordinator can open feeds other instances want. */
  bind?(hub: FeedHub): void;
  /** A feed started here (its first local subscriber). The coordinator tells it to lead or follow. */
  join(feed: CoordinatedFeed): FeedMembership;
}

/** What the coordinator sees of one local feed. */
export interface CoordinatedFeed {
  readonly key: string;
  readonly exchange: string;
  /** The feed's spec (exchange id and unified symbol resolved): what another instance opens it with. */
  readonly spec: FeedSpec;
  readonly intervalMs: number;
  /** Run the upstream feed here: this instance leads the key. */
  lead(): void;
  /** Stop the upstream feed here if it runs; updates now arrive through `receive`. */
  follow(): void;
  /** An update the leading instance published (`json` is the event's JSON, `id` the leader's id). */
  receive(event: StreamEvent, sticky: boolean, id: string, json: string): void;
}

export interface FeedMembership {
  /** Every update the feed emits while it leads: to be published once to the other instances. */
  published(update: FeedUpdate): void;
  /** The feed stopped here. */
  leave(): void;
}
