/**
 * docs/asyncapi.yaml: what the generator writes (no drift), valid AsyncAPI 3 per @asyncapi/parser, and faithful to
 * the kit's catalogue (one channel per type on meridian.events, envelope + body per message).
 */
import { describe, expect, test } from "bun:test";
import { Parser } from "@asyncapi/parser";
import { EnvelopeSchema, eventSchemas, eventTypes } from "@meridian/kit/contracts";
import { parse, stringify } from "yaml";
import { services } from "../../services";
import { bodySchemaName, EXCHANGE } from "../src/asyncapi";
import { ASYNCAPI_PATH, renderAsyncApi } from "../src/generate";
import { serviceRoles } from "../src/roles";

const committed = await Bun.file(ASYNCAPI_PATH).text();
const parser = new Parser();
// The parser runs Spectral's AsyncAPI rules: seconds per document on a busy machine.
const PARSE_TIMEOUT_MS = 60_000;

/** Error (0) and warning (1) diagnostics of a parse, one line each. */
function problemsOf({ diagnostics }: Awaited<ReturnType<Parser["parse"]>>): string[] {
  return diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join("/")}: ${d.message}`);
}

describe("docs/asyncapi.yaml", () => {
  test("when the generator runs, then it writes exactly the committed docs/asyncapi.yaml (else run bun run asyncapi)", () => {
    expect(committed).toBe(renderAsyncApi());
  });

  test(
    "when @asyncapi/parser reads it, then it reports no error or warning",
    async () => {
      const parsed = await parser.parse(committed);
      expect(problemsOf(parsed)).toEqual([]);
      const { document } = parsed;
      expect(document?.version()).toBe("3.1.0");
      expect(document?.channels().length).toBe(eventTypes.length);
      expect(document?.messages().length).toBe(eventTypes.length);
      const roles = serviceRoles(services);
      expect(document?.operations().length).toBe(roles.reduce((n, r) => n + r.publishes.length + r.consumes.length, 0));
    },
    PARSE_TIMEOUT_MS,
  );

  test(
    "when a message names a schema the document lacks, then the parser reports it (the validation is not vacuous)",
    async () => {
      const broken = parse(committed);
      delete broken.components.schemas.OrderCreatedV1;
      const problems = problemsOf(await parser.parse(stringify(broken)));
      expect(problems.some((p) => p.includes("OrderCreatedV1"))).toBe(true);
    },
    PARSE_TIMEOUT_MS,
  );

  test("when read back, then each channel is its type's routing key on the topic exchange with the envelope and body of that type", () => {
    const document = parse(committed);
    for (const type of eventTypes) {
      const channel = document.channels[type];
      expect(channel.address).toBe(type);
      expect(channel.bindings.amqp).toMatchObject({ is: "routingKey", exchange: { name: EXCHANGE, type: "topic", durable: true } });
      const [envelope, specific] = document.components.messages[type].payload.allOf;
      expect(envelope).toEqual({ $ref: "#/components/schemas/Envelope" });
      expect(specific.properties.type).toEqual({ const: type });
      expect(specific.properties.body).toEqual({ $ref: `#/components/schemas/${bodySchemaName(type)}` });
      expect(document.components.schemas[bodySchemaName(type)]).toEqual(JSON.parse(JSON.stringify(eventSchemas[type])));
    }
    expect(document.components.schemas.Envelope).toEqual(JSON.parse(JSON.stringify(EnvelopeSchema)));
  });
});
