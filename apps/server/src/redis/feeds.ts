import { randomUUID } from 'node:crypto';
import type {
  CoordinatedFeed,
  FeedCoordinator,
  FeedHub,
  FeedMembership,
  FeedSpec,
  FeedUpdate,
  StreamEvent,
} from '@marketgate/market-core';
import type { Logger } from '../logger.js';
import type { RedisLink } from './link.js';

/** Extends the lease if this instance still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** Deletes the lease if this instance still holds it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export type FeedRole = 'leader' | 'follower' | 'standalone';

export interface RedisFeedCoordinatorOptions {
  log: Logger;
  /**
   * Lease of a leader as a fraction of the poll interval (default 0.8, at least `minLeaseMs`); it is
   * renewed every quarter of that. A dead leader's lease runs out within 0.8 intervals and the next
   * round of another instance (every 0.2 intervals) takes it: takeover within one interval. A live
   * leader loses the lease only if its event loop stalls for 0.6 intervals.
   */
  leaseFraction?: number;
  minLeaseMs?: number;
  prefix?: string;
}

/**
 * Live feeds across instances through Redis. The unit of leadership is an exchange: the instance
 * holding the lease `mg:lead:<exchange>` (SET NX PX, renewed while it lives) runs every feed of that
 * exchange that any instance wants, so polled tickers stay one batched fetchTickers per interval
 * however many instances there are. It publishes each update once on `mg:feed:<exchange>`; every
 * instance relays it to its own subscribers. Followers announce the feeds they want in the sorted
 * set `mg:want:<exchange>` (member `<instance>|<spec>`, score = expiry) and the leader opens those
 * it does not run yet. The latest value of each key is kept in `mg:last:<key>` so a new subscriber
 * on a follower gets it at once. With Redis away every instance runs its own feeds (standalone).
 */
export class RedisFeedCoordinator implements FeedCoordinator {
  readonly instanceId = randomUUID();
  private hub: FeedHub | undefined;
  private readonly groups = new Map<string, Group>();
  readonly leaseFraction: number;
  readonly minLeaseMs: number;
  readonly prefix: string;
  /** Updates published to Redis as leader, and relayed from another leader (tests, bench). */
  published = 0;
  relayed = 0;
  /** Times this instance took a lease (bench: should stay at one per exchange in steady state). */
  takeovers = 0;

  constructor(
    readonly link: RedisLink,
    readonly options: RedisFeedCoordinatorOptions,
  ) {
    this.leaseFraction = options.leaseFraction ?? 0.8;
    this.minLeaseMs = options.minLeaseMs ?? 100;
    this.prefix = options.prefix ?? 'mg:';
    link.on('down', () => {
      for (const group of this.groups.values()) group.standalone();
    });
    link.on('up', () => {
      for (const group of this.groups.values()) group.kick();
    });
  }

  get log(): Logger {
    return this.options.log;
  }

  bind(hub: FeedHub): void {
    this.hub = hub;
  }

  join(feed: CoordinatedFeed): FeedMembership {
    let group = this.groups.get(feed.exchange);
    if (!group) {
      group = new Group(this, feed.exchange, feed.intervalMs);
      this.groups.set(feed.exchange, group);
    }
    const g = group;
    g.add(feed);
    return {
      published: (update) => g.publish(update),
      leave: () => {
        g.remove(feed);
        if (g.empty) {
          void g.close();
          if (this.groups.get(feed.exchange) === g) this.groups.delete(feed.exchange);
        }
      },
    };
  }

  private outbox: { channel: string; message: string; last: string | undefined; ttlMs: number }[] = [];

  /** @internal Updates published in one turn of the event loop (a batch poll) go out in one pipeline. */
  enqueue(channel: string, message: string, last: string | undefined, ttlMs: number): void {
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push({ channel, message, last, ttlMs });
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0 || !this.link.up) return;
    const pipeline = this.link.client.pipeline();
    for (const { channel, message, last, ttlMs } of batch) {
      pipeline.publish(channel, message);
      if (last) pipeline.set(last, message, 'PX', ttlMs);
    }
    pipeline.exec().catch(() => undefined);
  }

  /** @internal */
  get boundHub(): FeedHub | undefined {
    return this.hub;
  }

  /** Role of this instance per exchange with live feeds. */
  roles(): Record<string, FeedRole> {
    return Object.fromEntries([...this.groups].map(([exchange, g]) => [exchange, g.role]));
  }

  /** Releases every lease held (a graceful stop hands leadership over at once). */
  async close(): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.close()));
    this.groups.clear();
  }
}

interface Hold {
  key: string | undefined;
  detach: (() => void) | undefined;
  dropped: boolean;
}

/** The feeds of one exchange on this instance, and this instance's role for that exchange. */
class Group {
  role: FeedRole = 'follower';
  private readonly feeds = new Map<string, CoordinatedFeed>();
  /** Feeds held open for other instances while leading, by spec JSON. */
  private readonly holds = new Map<string, Hold>();
  private readonly channel: string;
  private readonly leaseKey: string;
  private readonly wantKey: string;
  /** Keys whose want was announced to the leader (a notice goes out only for new ones). */
  private readonly announced = new Set<string>();
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly c: RedisFeedCoordinator,
    readonly exchange: string,
    intervalMs: number,
  ) {
    this.channel = `${c.prefix}feed:${exchange}`;
    this.leaseKey = `${c.prefix}lead:${exchange}`;
    this.wantKey = `${c.prefix}want:${exchange}`;
    this.leaseMs = Math.max(c.minLeaseMs, Math.round(intervalMs * c.leaseFraction));
    this.renewMs = Math.max(10, Math.round(this.leaseMs / 4));
    c.link.subscribe(this.channel, (message) => this.onMessage(message));
    if (!c.link.up) this.role = 'standalone';
    this.kick();
  }

  get empty(): boolean {
    return this.feeds.size === 0;
  }

  add(feed: CoordinatedFeed): void {
    this.feeds.set(feed.key, feed);
    if (this.role === 'follower') {
      feed.follow();
      void this.seed(feed);
      this.kick(); // announce the new want now (and maybe take the lease)
    } else feed.lead();
  }

  remove(feed: CoordinatedFeed): void {
    if (this.feeds.get(feed.key) === feed) this.feeds.delete(feed.key);
    this.announced.delete(feed.key);
    if (this.c.link.up) this.c.link.client.zrem(this.wantKey, this.member(feed.spec)).catch(() => undefined);
  }

  private member(spec: FeedSpec): string {
    return `${this.c.instanceId}|${JSON.stringify(spec)}`;
  }

  /** A new follower feed gets the leader's latest value at once. */
  private async seed(feed: CoordinatedFeed): Promise<void> {
    try {
      const last = await this.c.link.client.get(`${this.c.prefix}last:${feed.key}`);
      if (last && this.role === 'follower' && this.feeds.get(feed.key) === feed) this.relay(last);
    } catch {
      // nothing to seed with: the next update comes within an interval
    }
  }

  publish(update: FeedUpdate): void {
    if (this.role !== 'leader') return;
    const message = `{"o":${JSON.stringify(this.c.instanceId)},"k":${JSON.stringify(update.key)},"i":${JSON.stringify(update.id)},"s":${update.sticky ? 1 : 0},"e":${update.json}}`;
    this.c.published++;
    const last =
      !update.sticky && update.event.type !== 'status' ? `${this.c.prefix}last:${update.key}` : undefined;
    this.c.enqueue(this.channel, message, last, this.leaseMs * 10);
  }

  private onMessage(message: string): void {
    if (message.startsWith('{"want"')) {
      if (this.role === 'leader') this.kick();
      return;
    }
    if (this.role !== 'follower') return;
    this.relay(message);
  }

  private relay(message: string): void {
    let parsed: { o: string; k: string; i: string; s: number; e: StreamEvent };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.o === this.c.instanceId) return;
    const feed = this.feeds.get(parsed.k);
    if (!feed) return;
    const at = message.indexOf(',"e":');
    this.c.relayed++;
    feed.receive(parsed.e, parsed.s === 1, parsed.i, message.slice(at + 5, -1));
  }

  /** Runs a round now (coalesced with one in flight). */
  kick(): void {
    if (this.closed) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  /** Redis is away: run every feed here, give up holds for others. */
  standalone(): void {
    if (this.closed || this.role === 'standalone') return;
    if (this.role === 'follower')
      this.c.log.warn({ exchange: this.exchange }, 'redis away: running feeds here');
    this.role = 'standalone';
    this.announced.clear();
    this.dropHolds();
    for (const feed of this.feeds.values()) feed.lead();
  }

  private becomeLeader(): void {
    if (this.role !== 'leader') this.c.takeovers++;
    if (this.role !== 'leader')
      this.c.log.info({ exchange: this.exchange, instance: this.c.instanceId }, 'leading live feeds');
    this.role = 'leader';
    for (const feed of this.feeds.values()) feed.lead();
  }

  private becomeFollower(): void {
    if (this.role === 'leader')
      this.c.log.info({ exchange: this.exchange }, 'lost the feed lease: relaying the leader');
    this.role = 'follower';
    this.announced.clear();
    this.dropHolds();
    for (const feed of this.feeds.values()) {
      feed.follow();
      void this.seed(feed);
    }
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.ticking = true;
    try {
      await this.round();
    } catch {
      this.standalone();
    } finally {
      this.ticking = false;
    }
    if (this.closed) return;
    const delay = this.again ? 0 : this.renewMs;
    this.again = false;
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async round(): Promise<void> {
    const { link, instanceId } = this.c;
    if (!link.up) return this.standalone();
    const client = link.client;
    // renew the lease if it is ours (also after a standalone spell that kept it), else try to take it
    let leading = (await client.eval(RENEW, 1, this.leaseKey, instanceId, String(this.leaseMs))) === 1;
    if (!leading) leading = (await client.set(this.leaseKey, instanceId, 'PX', this.leaseMs, 'NX')) === 'OK';
    if (leading) this.becomeLeader();
    else if (this.role !== 'follower') this.becomeFollower();
    // announce what this instance's subscribers want (not what it holds for others)
    const now = Date.now();
    const expiry = now + this.leaseMs * 5;
    const holdKeys = new Set([...this.holds.values()].map((h) => h.key));
    const wants: (string | number)[] = [];
    let news = false;
    for (const feed of this.feeds.values())
      if (!holdKeys.has(feed.key)) {
        wants.push(expiry, this.member(feed.spec));
        if (this.role === 'follower' && !this.announced.has(feed.key)) {
          this.announced.add(feed.key);
          news = true;
        }
      }
    const pipeline = client.pipeline();
    if (wants.length > 0) pipeline.zadd(this.wantKey, ...wants);
    pipeline.pexpire(this.wantKey, this.leaseMs * 10);
    // the leader reads the set every round anyway; the notice only saves new feeds that wait
    if (news) pipeline.publish(this.channel, '{"want":1}');
    await pipeline.exec();
    if (this.role === 'leader') await this.serveWants(now);
  }

  /** Leader: opens the feeds other instances want and closes those nobody wants any more. */
  private async serveWants(now: number): Promise<void> {
    const client = this.c.link.client;
    await client.zremrangebyscore(this.wantKey, '-inf', now);
    const members = await client.zrangebyscore(this.wantKey, now, '+inf');
    const wanted = new Set<string>();
    for (const member of members) {
      const bar = member.indexOf('|');
      if (bar < 0 || member.slice(0, bar) === this.c.instanceId) continue;
      wanted.add(member.slice(bar + 1));
    }
    for (const [spec, hold] of this.holds)
      if (!wanted.has(spec)) {
        this.holds.delete(spec);
        hold.dropped = true;
        hold.detach?.();
      }
    const hub = this.c.boundHub;
    if (!hub) return;
    for (const spec of wanted) {
      if (this.holds.has(spec)) continue;
      const hold: Hold = { key: undefined, detach: undefined, dropped: false };
      this.holds.set(spec, hold);
      void this.open(hub, spec, hold);
    }
  }

  private async open(hub: FeedHub, specJson: string, hold: Hold): Promise<void> {
    try {
      const resolved = await hub.open(JSON.parse(specJson) as FeedSpec);
      if (hold.dropped || this.closed) return;
      hold.key = resolved.key;
      hold.detach = hub.attach(resolved, {
        remote: true,
        onUpdate: () => undefined,
        onEnd: () => {
          if (this.holds.get(specJson) === hold) this.holds.delete(specJson);
        },
      });
    } catch (error) {
      this.c.log.warn({ err: error, spec: specJson }, 'cannot open a feed another instance wants');
      if (this.holds.get(specJson) === hold) this.holds.delete(specJson);
    }
  }

  private dropHolds(): void {
    const holds = [...this.holds.values()];
    this.holds.clear();
    for (const hold of holds) {
      hold.dropped = true;
      hold.detach?.();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dropHolds();
    this.c.link.unsubscribe(this.channel);
    if (this.role === 'leader' && this.c.link.up) {
      this.role = 'follower';
      await this.c.link.client.eval(RELEASE, 1, this.leaseKey, this.c.instanceId).catch(() => undefined);
    }
  }
}
