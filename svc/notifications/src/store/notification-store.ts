/**
 * Notifications in Redis. Layout (all keys under the configured prefix):
 *   feed:<audience>   ZSET  notification ids scored by creation time; newest `cap` kept, older than retention trimmed
 *   note:<id>         STRING the notification JSON; expires after the retention period
 *   read:<sub>        SET   ids this reader has read (role and everyone feeds are shared, read state is not)
 *   inbox:<messageId> STRING set once per handled event (idempotency); expires after the retention period
 *   dead-letters      ZSET  ids of dead-letter notifications (admin view), capped like a feed
 * Every key carries a TTL, feeds are capped: nothing grows without bound.
 * New notifications are announced on the pub/sub channel `<prefix>live` for the SSE streams of every replica.
 */
import type Redis from "ioredis";
import { audienceKey, audiencesOf, type Audience, type Notification, type Reader, type StoredNotification } from "../domain/notification";

export interface NotificationStoreOptions {
  prefix: string;
  feedCap: number;
  retentionDays: number;
}

/** What the live channel carries. */
export interface LiveMessage {
  audience: string;
  notification: StoredNotification;
}

/** The one page shape of every list (the kit's). */
import type { Page } from "@meridian/kit";
export type { Page };

// Atomic "handle once": the inbox key, the note, the feed entry (with trimming) and the live announcement
// happen together or not at all, so a redelivered event can never make a second notification.
const ADD_SCRIPT = `
local inbox, note, feed, dead = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, json, score, cap, ttl, oldest, channel, live, isDead =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8], ARGV[9]
if not redis.call('SET', inbox, '1', 'NX', 'EX', ttl) then return 0 end
redis.call('SET', note, json, 'EX', ttl)
local function push(key)
  redis.call('ZADD', key, score, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. oldest)
  redis.call('ZREMRANGEBYRANK', key, 0, -(cap + 1))
  redis.call('EXPIRE', key, ttl)
end
push(feed)
if isDead == '1' then push(dead) end
redis.call('PUBLISH', channel, live)
return 1
`;

type AddResult = 0 | 1;

interface ScriptedRedis extends Redis {
  notifAdd(
    inbox: string,
    note: string,
    feed: string,
    dead: string,
    id: string,
    json: string,
    score: number,
    cap: number,
    ttl: number,
    oldest: number,
    channel: string,
    live: string,
    isDead: string,
  ): Promise<AddResult>;
}

export class NotificationStore {
  readonly channel: string;
  private readonly redis: ScriptedRedis;
  private readonly ttlSec: number;

  constructor(
    redis: Redis,
    private readonly options: NotificationStoreOptions,
  ) {
    this.redis = redis as ScriptedRedis;
    if (typeof this.redis.notifAdd !== "function") redis.defineCommand("notifAdd", { numberOfKeys: 4, lua: ADD_SCRIPT });
    this.ttlSec = Math.max(1, Math.round(options.retentionDays * 86_400));
    this.channel = this.key("live");
  }

  private key(suffix: string): string {
    return `${this.options.prefix}${suffix}`;
  }

  private feedKey(audience: string): string {
    return this.key(`feed:${audience}`);
  }

  /** Stores a notification for an audience unless the event `messageId` was handled already. True when stored. */
  async add(messageId: string, audience: Audience, notification: StoredNotification, deadLetter = false): Promise<boolean> {
    const audienceName = audienceKey(audience);
    const score = Date.parse(notification.createdAt);
    const live: LiveMessage = { audience: audienceName, notification };
    const added = await this.redis.notifAdd(
      this.key(`inbox:${messageId}`),
      this.key(`note:${notification.id}`),
      this.feedKey(audienceName),
      this.key("dead-letters"),
      notification.id,
      JSON.stringify(notification),
      Number.isFinite(score) ? score : Date.now(),
      this.options.feedCap,
      this.ttlSec,
      Date.now() - this.ttlSec * 1000,
      this.channel,
      JSON.stringify(live),
      deadLetter ? "1" : "0",
    );
    return added === 1;
  }

  /** Ids visible to a reader, newest first (bounded: at most cap per feed). */
  private async visibleIds(reader: Reader): Promise<string[]> {
    const oldest = Date.now() - this.ttlSec * 1000;
    const pipeline = this.redis.pipeline();
    for (const audience of audiencesOf(reader)) pipeline.zrangebyscore(this.feedKey(audience), oldest, "+inf", "WITHSCORES");
    const results = (await pipeline.exec()) ?? [];
    const scored = new Map<string, number>();
    for (const [err, value] of results) {
      if (err) throw err;
      const flat = value as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) scored.set(flat[i] as string, Number(flat[i + 1]));
    }
    return [...scored.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).map(([id]) => id);
  }

  private async load(ids: string[], readerSub: string): Promise<Notification[]> {
    if (ids.length === 0) return [];
    const [notes, read] = await Promise.all([
      this.redis.mget(ids.map((id) => this.key(`note:${id}`))),
      this.redis.smismember(this.key(`read:${readerSub}`), ...ids),
    ]);
    const out: Notification[] = [];
    notes.forEach((json, i) => {
      if (json) out.push({ ...(JSON.parse(json) as StoredNotification), read: read[i] === 1 });
    });
    return out;
  }

  async list(reader: Reader, page: number, pageSize: number): Promise<Page<Notification>> {
    const ids = await this.visibleIds(reader);
    const slice = ids.slice((page - 1) * pageSize, page * pageSize);
    return { items: await this.load(slice, reader.sub), page, pageSize, total: ids.length };
  }

  async unreadCount(reader: Reader): Promise<number> {
    const ids = await this.visibleIds(reader);
    if (ids.length === 0) return 0;
    const read = await this.redis.smismember(this.key(`read:${reader.sub}`), ...ids);
    return read.filter((r) => r === 0).length;
  }

  /** Marks one notification read; false when the reader cannot see a notification with that id. */
  async markRead(reader: Reader, id: string): Promise<boolean> {
    const pipeline = this.redis.pipeline();
    for (const audience of audiencesOf(reader)) pipeline.zscore(this.feedKey(audience), id);
    const results = (await pipeline.exec()) ?? [];
    if (!results.some(([err, score]) => !err && score !== null)) return false;
    const readKey = this.key(`read:${reader.sub}`);
    const marked = await this.redis.multi().sadd(readKey, id).expire(readKey, this.ttlSec).scard(readKey).exec();
    const size = Number(marked?.[2]?.[1] ?? 0);
    // Marks of trimmed notifications linger; drop them once the set outgrows what a reader can see.
    if (size > 3 * this.options.feedCap) await this.pruneReadMarks(reader);
    return true;
  }

  private async pruneReadMarks(reader: Reader): Promise<void> {
    const ids = await this.visibleIds(reader);
    const readKey = this.key(`read:${reader.sub}`);
    const marks = ids.length ? await this.redis.smismember(readKey, ...ids) : [];
    const keep = ids.filter((_, i) => marks[i] === 1);
    const tx = this.redis.multi().del(readKey);
    if (keep.length) tx.sadd(readKey, ...keep).expire(readKey, this.ttlSec);
    await tx.exec();
  }

  /** Marks everything the reader sees as read; returns how many were unread. */
  async markAllRead(reader: Reader): Promise<number> {
    const ids = await this.visibleIds(reader);
    if (ids.length === 0) return 0;
    const readKey = this.key(`read:${reader.sub}`);
    const before = await this.redis.smismember(readKey, ...ids);
    // Replacing the set (rather than adding) also drops marks of notifications that have since been trimmed.
    await this.redis
      .multi()
      .del(readKey)
      .sadd(readKey, ...ids)
      .expire(readKey, this.ttlSec)
      .exec();
    return before.filter((r) => r === 0).length;
  }

  async deadLetters(reader: Reader, page: number, pageSize: number): Promise<Page<Notification>> {
    const key = this.key("dead-letters");
    const oldest = Date.now() - this.ttlSec * 1000;
    const [total, ids] = await Promise.all([
      this.redis.zcount(key, oldest, "+inf"),
      this.redis.zrevrangebyscore(key, "+inf", oldest, "LIMIT", (page - 1) * pageSize, pageSize),
    ]);
    return { items: await this.load(ids, reader.sub), page, pageSize, total };
  }
}
