/** The `meridian-events` command line (commander): publish, tail, queues, errors peek|republish, types. */
import { Command, InvalidArgumentError, Option } from "commander";
import { eventTypes } from "@meridian/kit/contracts";
import { KNOWN_SERVICES } from "./domain/queues";
import { peekCommand, republishCommand } from "./commands/errors";
import { createOutput } from "./commands/output";
import { publishCommand } from "./commands/publish";
import { queuesCommand } from "./commands/queues";
import { tailCommand } from "./commands/tail";

interface GlobalOptions {
  url: string;
  exchange: string;
  timeout: number;
  json: boolean;
  verbose: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function buildProgram(env: Record<string, string | undefined> = process.env): Command {
  const program = new Command("meridian-events")
    .description("Operate Meridian's event bus: publish and tail events, inspect queues, re-publish dead letters.")
    .addOption(
      new Option("--url <amqp-url>", "RabbitMQ URL").env("RABBITMQ_URL").default(env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672"),
    )
    .addOption(
      new Option("--exchange <name>", "events exchange").env("RABBITMQ_EXCHANGE").default(env.RABBITMQ_EXCHANGE ?? "meridian.events"),
    )
    .addOption(new Option("--timeout <ms>", "give up connecting after this long").argParser(positiveInt).default(5000))
    .option("--json", "print results as JSON lines", false)
    .option("--verbose", "log broker activity to stderr", false)
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 bad input, 2 RabbitMQ unreachable, 3 queue or message not found.\n" +
        "Environment: RABBITMQ_URL, RABBITMQ_EXCHANGE.",
    );

  program
    .command("types")
    .description("list the event types of the contracts module")
    .action(() => {
      const out = createOutput(globals(program).json);
      for (const type of eventTypes) out.result({ type }, type);
    });

  program
    .command("publish")
    .description("publish one event; the body (from --body, --file and --set) is validated against the contracts first")
    .argument("<type>", `event type, one of:\n${eventTypes.map((t) => `  ${t}`).join("\n")}`)
    .option("--body <json>", "the body as a JSON object")
    .option("--file <path>", "read the body from a JSON file")
    .option("--set <path=value>", "set one field (dotted path, value parsed as JSON when it can be); repeatable", collect)
    .option("--correlation-id <id>", "correlation id (default: the message id)")
    .option("--message-id <id>", "message id (default: a new UUID)")
    .option("--source <name>", "envelope source", "notifications-console")
    .option("--dry-run", "validate and print the body, do not send", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        '  meridian-events publish orders.order-confirmed.v1 --body \'{"orderId":"…","customerId":"alice"}\'\n' +
        "  meridian-events publish inventory.product-upserted.v1 --set sku=ABC-1 --set name=Widget --set price=9.5\n" +
        "  meridian-events publish orders.order-created.v1 --file order.json --set total=25",
    )
    .action(
      async (
        type: string,
        options: {
          body?: string;
          file?: string;
          set?: string[];
          correlationId?: string;
          messageId?: string;
          source: string;
          dryRun: boolean;
        },
        command: Command,
      ) => {
        const g = globals(command);
        await publishCommand(
          type,
          {
            url: g.url,
            exchange: g.exchange,
            timeoutMs: g.timeout,
            verbose: g.verbose,
            source: options.source,
            dryRun: options.dryRun,
            ...(options.body !== undefined ? { body: options.body } : {}),
            ...(options.file !== undefined ? { file: options.file } : {}),
            ...(options.set ? { set: options.set } : {}),
            ...(options.correlationId ? { correlationId: options.correlationId } : {}),
            ...(options.messageId ? { messageId: options.messageId } : {}),
          },
          createOutput(g.json),
        );
      },
    );

  program
    .command("tail")
    .description("print events live as they pass the exchange")
    .argument("[patterns...]", "routing-key patterns (topic syntax: * one word, # any); default #")
    .option("--count <n>", "exit after n events", positiveInt)
    .addHelpText("after", "\nExamples:\n  meridian-events tail 'orders.#'\n  meridian-events tail '*.stock-*.v1' --count 5 --json")
    .action(async (patterns: string[], options: { count?: number }, command: Command) => {
      const g = globals(command);
      await tailCommand(
        patterns,
        { url: g.url, exchange: g.exchange, timeoutMs: g.timeout, ...(options.count ? { count: options.count } : {}) },
        createOutput(g.json),
      );
    });

  program
    .command("queues")
    .description("depth and consumers of the services' queues (<service>.events, .retry.<n>, .error)")
    .option("--service <name>", `a consuming service; repeatable (default: ${KNOWN_SERVICES.join(", ")})`, collect)
    .option("--queue <name>", "also check this queue; repeatable", collect)
    .option("--retries <n>", "retry queues per service", positiveInt, 3)
    .addHelpText(
      "after",
      "\nThe management API is not enabled, so queues are checked by name with a passive declare (AMQP):\n" +
        "MESSAGES counts ready messages (not unacknowledged ones); a queue that was never declared shows as absent.",
    )
    .action(async (options: { service?: string[]; queue?: string[]; retries: number }, command: Command) => {
      const g = globals(command);
      await queuesCommand(
        {
          url: g.url,
          timeoutMs: g.timeout,
          retries: options.retries,
          ...(options.service ? { services: options.service } : {}),
          ...(options.queue ? { queues: options.queue } : {}),
        },
        createOutput(g.json),
      );
    });

  const errors = program.command("errors").description("inspect and re-publish messages parked in a service's error queue");

  errors
    .command("peek")
    .description("show parked messages with the reason they failed (they stay in the queue)")
    .argument("<service>", "service name (audit) or error queue (audit.error)")
    .option("--limit <n>", "show at most n messages", positiveInt, 20)
    .action(async (service: string, options: { limit: number }, command: Command) => {
      const g = globals(command);
      await peekCommand(service, { url: g.url, timeoutMs: g.timeout, limit: options.limit }, createOutput(g.json));
    });

  errors
    .command("republish")
    .description("send parked messages back to <service>.events for another try (kit replayDeadLetters)")
    .argument("<service>", "service name (audit) or error queue (audit.error)")
    .option("--message-id <id>", "re-publish this message; repeatable", collect)
    .option("--all", "re-publish every parked message", false)
    .option("--limit <n>", "look at most at n messages", positiveInt, 1000)
    .action(async (service: string, options: { messageId?: string[]; all: boolean; limit: number }, command: Command) => {
      if (!options.all && !options.messageId?.length) command.error("error: give --message-id <id> or --all", { exitCode: 1 });
      if (options.all && options.messageId?.length) command.error("error: --all and --message-id exclude each other", { exitCode: 1 });
      const g = globals(command);
      await republishCommand(
        service,
        {
          url: g.url,
          timeoutMs: g.timeout,
          exchange: g.exchange,
          messageIds: options.messageId ?? [],
          all: options.all,
          limit: options.limit,
          verbose: g.verbose,
        },
        createOutput(g.json),
      );
    });

  return program;
}
