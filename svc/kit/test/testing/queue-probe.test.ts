import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import amqp from "amqplib";
import { openQueueProbe, TEST_RABBITMQ_URL, uniqueName, type QueueProbe } from "../../src/testing";

const queue = uniqueName("probe-test");
let connection: amqp.ChannelModel;
let channel: amqp.Channel;
let probe: QueueProbe;

beforeAll(async () => {
  connection = await amqp.connect(TEST_RABBITMQ_URL);
  channel = await connection.createChannel();
  await channel.assertQueue(queue, { autoDelete: false, durable: false });
  probe = await openQueueProbe(TEST_RABBITMQ_URL);
});

afterAll(async () => {
  await probe?.close();
  await channel?.deleteQueue(queue).catch(() => {});
  await connection?.close().catch(() => {});
});

describe("queue probe", () => {
  test("when messages wait and one is delivered unacked, then the probe counts the ready ones only", async () => {
    expect((await probe.readyDepths([queue])).get(queue)).toBe(0);
    for (const n of [1, 2, 3]) channel.sendToQueue(queue, Buffer.from(String(n)));
    await channel.checkQueue(queue); // a round trip after the publishes: they reached the queue
    expect((await probe.readyDepths([queue])).get(queue)).toBe(3);
    const held = await channel.get(queue, { noAck: false });
    expect(held).not.toBe(false);
    expect((await probe.readyDepths([queue])).get(queue)).toBe(2);
  });
});
