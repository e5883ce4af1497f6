/**
 * Server-side session store in Redis (keys prefixed `bff:`). Tokens live only here; the browser holds an
 * opaque random session id, and Redis holds its SHA-256 so a Redis dump yields no usable cookie.
 */
import { createHash, randomBytes } from "node:crypto";
import type Redis from "ioredis";

export interface Session {
  sub: string;
  username: string;
  roles: string[];
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Access token expiry, epoch ms. */
  accessTokenExpiresAt: number;
  csrfToken: string;
  createdAt: number;
}

export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

/** A sign-in the BFF refused (no admin role): no tokens kept, only what the refusal page shows and needs. */
export interface Refusal {
  username: string;
  requiredRole: string;
  /** The IdP end-session URL that signs the refused account out. */
  endSessionUrl: string;
}

export const KEY_PREFIX = "bff:";
const LOGIN_TTL_SEC = 600;

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

function digest(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSec: number,
  ) {}

  sessionKey(id: string): string {
    return `${KEY_PREFIX}session:${digest(id)}`;
  }

  private loginKey(state: string): string {
    return `${KEY_PREFIX}login:${digest(state)}`;
  }

  private lockKey(id: string): string {
    return `${KEY_PREFIX}refresh-lock:${digest(id)}`;
  }

  async savePendingLogin(state: string, login: PendingLogin): Promise<void> {
    await this.redis.set(this.loginKey(state), JSON.stringify(login), "EX", LOGIN_TTL_SEC);
  }

  /** One use only: a replayed callback finds nothing. */
  async takePendingLogin(state: string): Promise<PendingLogin | undefined> {
    const raw = await this.redis.getdel(this.loginKey(state));
    return raw ? (JSON.parse(raw) as PendingLogin) : undefined;
  }

  private refusalKey(id: string): string {
    return `${KEY_PREFIX}refusal:${digest(id)}`;
  }

  async saveRefusal(refusal: Refusal, ttlSec: number): Promise<string> {
    const id = randomToken();
    await this.redis.set(this.refusalKey(id), JSON.stringify(refusal), "EX", ttlSec);
    return id;
  }

  async getRefusal(id: string): Promise<Refusal | undefined> {
    const raw = await this.redis.get(this.refusalKey(id));
    return raw ? (JSON.parse(raw) as Refusal) : undefined;
  }

  async takeRefusal(id: string): Promise<Refusal | undefined> {
    const raw = await this.redis.getdel(this.refusalKey(id));
    return raw ? (JSON.parse(raw) as Refusal) : undefined;
  }

  async create(session: Session): Promise<string> {
    const id = randomToken();
    await this.redis.set(this.sessionKey(id), JSON.stringify(session), "EX", this.ttlSec);
    return id;
  }

  /** Reads a session and slides its idle expiry. */
  async get(id: string): Promise<Session | undefined> {
    const key = this.sessionKey(id);
    const [[, raw]] = (await this.redis.multi().get(key).expire(key, this.ttlSec).exec()) as [[unknown, string | null]];
    return raw ? (JSON.parse(raw) as Session) : undefined;
  }

  async update(id: string, session: Session): Promise<void> {
    // XX: never resurrect a session that was signed out meanwhile.
    await this.redis.set(this.sessionKey(id), JSON.stringify(session), "EX", this.ttlSec, "XX");
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.sessionKey(id));
  }

  /** A short lock so that concurrent requests of one session refresh the tokens once. */
  async tryLockRefresh(id: string): Promise<boolean> {
    return (await this.redis.set(this.lockKey(id), "1", "PX", 10_000, "NX")) === "OK";
  }

  async unlockRefresh(id: string): Promise<void> {
    await this.redis.del(this.lockKey(id));
  }
}
