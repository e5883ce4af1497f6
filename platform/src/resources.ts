/**
 * What one platform run owns, so runs never see each other's data: a RabbitMQ virtual host, one fresh PostgreSQL
 * database per database of the manifest, a Redis key prefix (a shared database, so no FLUSHDB: other runs may be
 * live), and optionally TCP proxies in front of PostgreSQL and RabbitMQ. `release()` removes all of it.
 */
import Redis from "ioredis";
import { createTestDatabase, rabbitmqctl, TEST_POSTGRES_URL, TEST_REDIS_URL, type TestDatabase } from "@meridian/kit/testing";
import { databaseNames } from "../../services";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export interface RunResources {
  rabbitmqUrl: string;
  /** The URL the services connect with (through the RabbitMQ proxy when there is one). */
  serviceRabbitmqUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  databases: Record<string, TestDatabase> & Record<"orders" | "inventory" | "audit", TestDatabase>;
  postgresProxy?: TcpProxy;
  rabbitmqProxy?: TcpProxy;
  /** The URL a service connects to `database` with: through the PostgreSQL proxy when there is one. */
  serviceDbUrl(database: TestDatabase): string;
  release(): Promise<void>;
}

export async function provisionResources(id: string, proxies: { postgres?: boolean; rabbitmq?: boolean }): Promise<RunResources> {
  await rabbitmqctl("add_vhost", id);
  await rabbitmqctl("set_permissions", "-p", id, "guest", ".*", ".*", ".*");
  const vhost = encodeURIComponent(id);
  const created = await Promise.all(databaseNames.map(async (name) => [name, await createTestDatabase(name)] as const));
  const databases = Object.fromEntries(created) as RunResources["databases"];
  const pgTarget = new URL(TEST_POSTGRES_URL);
  const postgresProxy = proxies.postgres
    ? await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) })
    : undefined;
  const rabbitmqProxy = proxies.rabbitmq ? await startTcpProxy({ host: "127.0.0.1", port: 5672 }) : undefined;
  const redisKeyPrefix = `${id}:`;
  return {
    rabbitmqUrl: `amqp://guest:guest@127.0.0.1:5672/${vhost}`,
    serviceRabbitmqUrl: `amqp://guest:guest@127.0.0.1:${rabbitmqProxy?.port ?? 5672}/${vhost}`,
    redisUrl: TEST_REDIS_URL,
    redisKeyPrefix,
    databases,
    ...(postgresProxy ? { postgresProxy } : {}),
    ...(rabbitmqProxy ? { rabbitmqProxy } : {}),
    serviceDbUrl(database) {
      if (!postgresProxy) return database.url;
      const url = new URL(database.url);
      url.hostname = "127.0.0.1";
      url.port = String(postgresProxy.port);
      return url.toString();
    },
    async release() {
      await postgresProxy?.close();
      await rabbitmqProxy?.close();
      await Promise.allSettled(Object.values(databases).map((d) => d.drop()));
      await rabbitmqctl("delete_vhost", id).catch(() => undefined);
      await deleteRedisKeys(TEST_REDIS_URL, redisKeyPrefix);
    },
  };
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis
    .connect()
    .then(async () => {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    })
    .catch(() => undefined);
  redis.disconnect();
}
