export * from './types.js';
export * from './schemas.js';
export { FeedSubscription } from './subscription.js';
export { FeedHub } from './hub.js';
export type { FeedHubOptions } from './hub.js';
export type { FeedSpec, ResolvedFeedSpec } from './feed-spec.js';
export type { CoordinatedFeed, FeedCoordinator, FeedMembership } from './coordinator.js';
