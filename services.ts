/**
 * The service manifest: every process of the platform, once. The platform harness (`@meridian/platform`, used by
 * e2e, bench and the web end-to-end tests) and `scripts/up.sh` start what it lists; adding a service means adding
 * its entry here (and its workspace, chart and compose service, which the coverage tests check against it).
 *
 * Ports are the design ports (docs/design.md); gateway/ocelot.json routes to them.
 */
import type { EventType } from "./svc/kit/src/contracts";

/** A PostgreSQL database a process owns (migrates) or shares with the process that owns it. */
export interface ManifestDatabase {
  /** Logical name: the harness creates one fresh database per name; local development uses `meridian_<name>`. */
  name: string;
  /** The variable the process reads its URL from. */
  env: "DATABASE_URL";
  /** True for the process that runs the migrations; a sharer (e.g. the inventory worker) migrates it too, idempotently. */
  owner: boolean;
}

export interface ServiceManifestEntry {
  /** Process name: also OTEL_SERVICE_NAME, the log file name and the consumer's queue name. */
  name: string;
  /** Workspace directory (root package.json `workspaces`). */
  workspace: string;
  /** Entry file, relative to the repository root (`bun <entry>`). */
  entry: string;
  /** Design port (PORT). */
  port: number;
  /** What readiness answers on: `/health/ready`, or the dev IdP's discovery document. */
  readyPath: string;
  /**
   * Environment the process needs beyond the common set (OIDC_ISSUER, OIDC_AUDIENCE, RABBITMQ_URL, REDIS_URL,
   * LOG_LEVEL, HOST, PORT): names only; values come from the environment (up.sh's development values, the
   * harness's per-run values).
   */
  env: readonly string[];
  databases: readonly ManifestDatabase[];
  /**
   * Event types it consumes (its queue's bindings; `"*"`: every domain event, `system.*` notices excepted) and
   * publishes (through its outbox or the broker).
   */
  consumes: readonly (EventType | "*")[];
  publishes: readonly EventType[];
  /** Helm chart under k8s/charts, if it is deployed (the dev IdP is not). */
  chart?: string;
  /** Started by default (harness and up.sh); false for processes a test asks for explicitly. */
  default: boolean;
  /** Never deployed: a development stand-in. */
  developmentOnly?: boolean;
}

const ORDER_EVENTS = [
  "orders.order-created.v1",
  "orders.order-confirmed.v1",
  "orders.order-rejected.v1",
  "orders.order-cancelled.v1",
  "orders.order-shipped.v1",
] as const satisfies readonly EventType[];

/** In start order: dependencies first (the dev IdP before everything, the gateway after the services). */
export const services = [
  {
    name: "dev-idp",
    workspace: "svc/dev-idp",
    entry: "svc/dev-idp/src/main.ts",
    port: 8081,
    readyPath: "/realms/meridian/.well-known/openid-configuration",
    env: ["DEV_IDP_LOOPBACK_ANY_PORT"],
    databases: [],
    consumes: [],
    publishes: [],
    default: false,
    developmentOnly: true,
  },
  {
    name: "inventory",
    workspace: "svc/inventory",
    entry: "svc/inventory/src/main.ts",
    port: 5102,
    readyPath: "/health/ready",
    env: ["DATABASE_URL"],
    databases: [{ name: "inventory", env: "DATABASE_URL", owner: true }],
    consumes: [],
    publishes: ["inventory.inventory-adjusted.v1", "inventory.product-upserted.v1"],
    chart: "inventory",
    default: true,
  },
  {
    name: "inventory-worker",
    workspace: "svc/inventory-worker",
    entry: "svc/inventory-worker/src/main.ts",
    port: 5105,
    readyPath: "/health/ready",
    env: ["DATABASE_URL"],
    databases: [{ name: "inventory", env: "DATABASE_URL", owner: false }],
    consumes: ["orders.order-created.v1", "orders.order-cancelled.v1", "orders.order-shipped.v1"],
    // inventory-adjusted: the stock a shipment takes out.
    publishes: [
      "inventory.stock-reserved.v1",
      "inventory.stock-rejected.v1",
      "inventory.stock-released.v1",
      "inventory.inventory-adjusted.v1",
    ],
    chart: "inventory-worker",
    default: true,
  },
  {
    name: "orders",
    workspace: "svc/orders",
    entry: "svc/orders/src/main.ts",
    port: 5101,
    readyPath: "/health/ready",
    env: ["DATABASE_URL", "ORDERS_STORE"],
    databases: [{ name: "orders", env: "DATABASE_URL", owner: true }],
    consumes: [
      "inventory.stock-reserved.v1",
      "inventory.stock-rejected.v1",
      "inventory.product-upserted.v1",
      "system.message-dead-lettered.v1",
    ],
    publishes: ORDER_EVENTS,
    chart: "orders",
    default: true,
  },
  {
    name: "notifications",
    workspace: "svc/notifications",
    entry: "svc/notifications/src/main.ts",
    port: 5103,
    readyPath: "/health/ready",
    env: ["NOTIFICATIONS_KEY_PREFIX"],
    databases: [],
    consumes: [
      "orders.order-confirmed.v1",
      "orders.order-rejected.v1",
      "orders.order-shipped.v1",
      "orders.order-cancelled.v1",
      "inventory.inventory-adjusted.v1",
      "inventory.stock-reserved.v1",
      "system.message-dead-lettered.v1",
      "notifications.broadcast-sent.v1",
    ],
    publishes: ["notifications.broadcast-sent.v1"],
    chart: "notifications",
    default: true,
  },
  {
    name: "audit",
    workspace: "svc/audit",
    entry: "svc/audit/src/main.ts",
    port: 5104,
    readyPath: "/health/ready",
    env: ["DATABASE_URL"],
    databases: [{ name: "audit", env: "DATABASE_URL", owner: true }],
    // Every domain event (system.* notices excepted).
    consumes: ["*"],
    publishes: [],
    chart: "audit",
    default: true,
  },
  {
    name: "gateway",
    workspace: "gateway",
    entry: "gateway/src/main.ts",
    port: 8080,
    readyPath: "/health/ready",
    env: ["GATEWAY_ROUTES"],
    databases: [],
    consumes: [],
    publishes: [],
    chart: "gateway",
    default: true,
  },
  {
    name: "admin-bff",
    workspace: "svc/admin-bff",
    entry: "svc/admin-bff/src/main.ts",
    port: 5106,
    readyPath: "/health/ready",
    env: ["ADMIN_CLIENT_SECRET", "BFF_PUBLIC_URL", "ADMIN_APP_URL", "GATEWAY_URL"],
    databases: [],
    consumes: [],
    publishes: [],
    chart: "admin-bff",
    default: false,
  },
] as const satisfies readonly ServiceManifestEntry[];

/** A process name of the manifest. */
export type ProcessName = (typeof services)[number]["name"];

/** The manifest entry of `name`. */
export function service(name: ProcessName): ServiceManifestEntry {
  return services.find((s) => s.name === name)!;
}

/** Logical names of every database some process uses. */
export const databaseNames: readonly string[] = [...new Set(services.flatMap((s) => s.databases.map((d) => d.name)))];
