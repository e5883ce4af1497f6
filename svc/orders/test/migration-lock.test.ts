/**
 * The SQL Server migration lock without a SQL Server (the contract suite runs it for real when MSSQL_URL is
 * set): the statements sent on the lock's own transaction, in order, and that replicas starting together
 * migrate one after another. The lock server below keeps sp_getapplock's semantics for one resource:
 * an exclusive owner per transaction, waiters queued, release on commit or rollback.
 */
import { describe, expect, test } from "bun:test";
import { MIGRATION_LOCK_RESOURCE, acquireStatement, withMigrationLock, type LockTransaction } from "../src/store/mssql/migration-lock";

class AppLockServer {
  private owner: object | undefined;
  private waiters: (() => void)[] = [];
  /** sp_getapplock: 0 when granted at once, 1 after waiting, -1 on timeout. */
  async acquire(who: object, timeoutMs: number): Promise<number> {
    if (!this.owner) {
      this.owner = who;
      return 0;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== grant);
        resolve(-1);
      }, timeoutMs);
      const grant = () => {
        clearTimeout(timer);
        this.owner = who;
        resolve(1);
      };
      this.waiters.push(grant);
    });
  }
  release(who: object): void {
    if (this.owner !== who) return;
    this.owner = undefined;
    this.waiters.shift()?.();
  }
}

function transaction(server: AppLockServer, log: string[]): LockTransaction {
  const self = {};
  return {
    begin: async () => {
      log.push("begin");
    },
    scalar: async (statement) => {
      log.push(statement);
      const timeout = Number(/@LockTimeout = (\d+)/.exec(statement)![1]);
      return server.acquire(self, timeout);
    },
    commit: async () => {
      log.push("commit");
      server.release(self);
    },
    rollback: async () => {
      log.push("rollback");
      server.release(self);
    },
  };
}

describe("SQL Server migration lock", () => {
  test("when migrations run, then they run between an exclusive transaction-owned sp_getapplock and the commit", async () => {
    const log: string[] = [];
    await withMigrationLock(transaction(new AppLockServer(), log), async () => {
      log.push("migrate");
    });
    expect(log).toEqual(["begin", acquireStatement(), "migrate", "commit"]);
    expect(acquireStatement()).toContain(`exec @result = sp_getapplock @Resource = N'${MIGRATION_LOCK_RESOURCE}'`);
    expect(acquireStatement()).toContain("@LockMode = N'Exclusive'");
    expect(acquireStatement()).toContain("@LockOwner = N'Transaction'");
  });

  test("when three replicas start at once, then their migrations never overlap", async () => {
    const server = new AppLockServer();
    let running = 0;
    let most = 0;
    const migrate = async () => {
      running += 1;
      most = Math.max(most, running);
      await Bun.sleep(20);
      running -= 1;
    };
    await Promise.all([1, 2, 3].map(() => withMigrationLock(transaction(server, []), migrate)));
    expect(most).toBe(1);
  });

  test("when a migration fails, then the lock is released by a rollback and the migration's error is reported", async () => {
    const log: string[] = [];
    const server = new AppLockServer();
    const failing = withMigrationLock(transaction(server, log), async () => {
      throw new Error("bad migration");
    });
    await expect(failing).rejects.toThrow("bad migration");
    expect(log.at(-1)).toBe("rollback");
    const next: string[] = [];
    await withMigrationLock(transaction(server, next), async () => undefined, 50);
    expect(next.at(-1)).toBe("commit");
  });

  test("when another replica holds the lock past the timeout, then start-up fails saying so and nothing migrates", async () => {
    const server = new AppLockServer();
    let release!: () => void;
    const holder = withMigrationLock(
      transaction(server, []),
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    let migrated = false;
    const waiting = withMigrationLock(
      transaction(server, []),
      async () => {
        migrated = true;
      },
      30,
    );
    await expect(waiting).rejects.toThrow("timed out waiting for another replica's migrations");
    expect(migrated).toBe(false);
    release();
    await holder;
  });
});
