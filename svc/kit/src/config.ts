/**
 * Typed configuration from environment variables, validated once at start-up.
 * A wrong or missing value stops the process with one line naming the variable.
 */
import { Type as t, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** When true (default) a bad value prints one line and exits 1; when false a ConfigError is thrown. */
  exit?: boolean;
}

/** Variables every HTTP process shares (docs/design.md). */
export function baseConfig(defaults: { port: number }) {
  return {
    PORT: t.Integer({ minimum: 0, maximum: 65535, default: defaults.port, description: "listen port" }),
    HOST: t.String({ minLength: 1, default: "127.0.0.1", description: "listen address" }),
    LOG_LEVEL: t.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => t.Literal(l)),
      { default: "info" },
    ),
    /** /health/* and /metrics on this port only, apart from the API (probes, scrapes; never the edge). */
    MANAGEMENT_PORT: t.Optional(t.Integer({ minimum: 0, maximum: 65535, description: "management port" })),
    OTEL_EXPORTER_OTLP_ENDPOINT: t.Optional(t.String({ format: "uri", pattern: "^https?://" })),
    /** The service name spans and metrics carry (the standard OpenTelemetry variable; default: the process's name). */
    OTEL_SERVICE_NAME: t.Optional(t.String({ minLength: 1 })),
    SHUTDOWN_GRACE_MS: t.Integer({ minimum: 0, default: 10_000 }),
    BODY_LIMIT_BYTES: t.Integer({ minimum: 1024, default: 1_048_576 }),
  } satisfies TProperties;
}

export type BaseConfig = Static<TObject<ReturnType<typeof baseConfig>>>;

/** Reads, coerces ("5101" → 5101, "true" → true), defaults and validates the variables named by `schema`. */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions = {}): Static<S> {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const withDefaults = Value.Default(schema, Value.Convert(schema, raw));
  const firstError = Value.Errors(schema, withDefaults).First();
  if (!firstError) return withDefaults as Static<S>;

  const variable = firstError.path.replace(/^\//, "").split("/")[0] || "(unknown)";
  const given = raw[variable];
  const line =
    given === undefined
      ? `config error: ${variable} is required (${firstError.message})`
      : `config error: ${variable}=${JSON.stringify(given)} is invalid: ${firstError.message}`;
  if (options.exit === false) throw new ConfigError(variable, line);
  console.error(line);
  process.exit(1);
}

/** RabbitMQ variables every publisher and consumer shares (docs/messaging.md). */
export function messagingConfig() {
  return {
    RABBITMQ_URL: t.String({ pattern: "^amqps?://", default: "amqp://guest:guest@127.0.0.1:5672" }),
    /** Topic exchange for domain events. */
    RABBITMQ_EXCHANGE: t.String({ minLength: 1, default: "meridian.events" }),
    /** Prefix of this service's queue names: empty in deployments, unique per run in tests. */
    RABBITMQ_QUEUE_PREFIX: t.String({ default: "", pattern: "^[A-Za-z0-9._-]*$" }),
    /** Delays before each redelivery of a failed message, e.g. "1000,5000,30000" (the kit's default when unset). */
    CONSUMER_RETRY_DELAYS_MS: t.Optional(t.String({ pattern: "^[0-9]{1,7}(,[0-9]{1,7}){0,9}$" })),
  } satisfies TProperties;
}

export type MessagingConfig = Static<TObject<ReturnType<typeof messagingConfig>>>;

/** OIDC variables of every process that validates tokens: one issuer URL per environment (docs/identity.md). */
export function oidcConfig() {
  return {
    OIDC_ISSUER: t.String({ pattern: "^https?://", default: "http://localhost:8081/realms/meridian" }),
    /** JWKS URL when the issuer's discovery document is not reachable from this process. */
    OIDC_JWKS_URL: t.Optional(t.String({ pattern: "^https?://" })),
    OIDC_AUDIENCE: t.String({ minLength: 1, default: "meridian-api" }),
  } satisfies TProperties;
}

/** `CONSUMER_RETRY_DELAYS_MS` as numbers; undefined keeps the messaging module's default. */
export function retryDelaysMs(value: string | undefined): number[] | undefined {
  return value ? value.split(",").map(Number) : undefined;
}

/** The queue-owner name a consumer declares its queues under (`<prefix><service>.events`). */
export function consumerName(config: { RABBITMQ_QUEUE_PREFIX: string }, service: string): string {
  return `${config.RABBITMQ_QUEUE_PREFIX}${service}`;
}

/** The consumer's retry option from `CONSUMER_RETRY_DELAYS_MS` (none: the messaging module's default delays). */
export function retryOption(config: { CONSUMER_RETRY_DELAYS_MS?: string }): { retry?: { delaysMs: number[] } } {
  const delaysMs = retryDelaysMs(config.CONSUMER_RETRY_DELAYS_MS);
  return delaysMs ? { retry: { delaysMs } } : {};
}
