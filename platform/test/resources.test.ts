import { describe, expect, test } from "bun:test";
import { rabbitmqctl, uniqueName } from "@meridian/kit/testing";
import { provisionResources } from "../src/resources";

const vhosts = async () => (await rabbitmqctl("list_vhosts", "name")).split("\n").map((l) => l.trim());

describe("resources of a run", () => {
  test("when a run is provisioned, then it has a RabbitMQ vhost of its own that guest may use, and release removes it", async () => {
    const id = uniqueName("platform-resources");
    const run = await provisionResources(id, {});
    try {
      expect(await vhosts()).toContain(id);
      expect(await rabbitmqctl("list_permissions", "-p", id)).toContain("guest");
      expect(run.rabbitmqUrl).toBe(`amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(id)}`);
    } finally {
      await run.release();
    }
    expect(await vhosts()).not.toContain(id);
  });
});
