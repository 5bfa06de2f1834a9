export * from './types.js';
export * from './schemas.js';
export { FeedSubscription } from './subscription.js';
export { FeedHub } from './hub.js';
export type { FeedHubOptions, FeedSpec, ResolvedFeedSpec } from './hub.js';
export type { CoordinatedFeed, FeedCoordinator, FeedMembership } from './coordinator.js';
