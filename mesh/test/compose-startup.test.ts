/**
 * compose.yml's start-up rules (mesh/test/compose-rules.ts), on the committed file and on copies that
 * break each rule: read-only containers whose image entrypoint must write to /etc (the Envoy uid
 * remapping), health-gated dependencies without a health check, published ports not bound to
 * 127.0.0.1; and the management port (MANAGEMENT_PORT) used by health checks and Prometheus alike.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DEPLOYABLES, REPO_ROOT } from "../../k8s/test/deploy-support";
import {
  type Compose,
  type ComposeService,
  entrypointViolations,
  envoyEntrypoint,
  healthGateViolations,
  parsePort,
  publishedPortViolations,
} from "./compose-rules";

const read = (): Compose => parse(readFileSync(join(REPO_ROOT, "compose.yml"), "utf8"), { merge: true }) as Compose;
const compose = read();
const envoys = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith("envoyproxy/envoy"));
const withService = (name: string, change: (s: ComposeService) => void): Compose => {
  const copy = read();
  change(copy.services[name]!);
  return copy;
};

describe("image entrypoints under compose's restrictions", () => {
  test("when the Envoy containers are read, then there are three, read-only, and their entrypoint execs Envoy directly", () => {
    expect(envoys.map(([n]) => n).sort()).toEqual(["admin-bff-sidecar", "edge", "gateway-sidecar"]);
    for (const [name, s] of envoys) {
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toContain("ALL");
      expect(envoyEntrypoint(s), name).toEqual([]);
    }
    expect(entrypointViolations(compose)).toEqual([]);
  });

  test("when a read-only Envoy is given ENVOY_UID/ENVOY_GID as root, then the rule reports the rewrite of /etc", () => {
    const broken = withService("edge", (s) => {
      delete s.user;
      s.environment = { ENVOY_UID: "101", ENVOY_GID: "101" };
    });
    expect(entrypointViolations(broken)).toEqual([
      "edge: the image's entrypoint runs `usermod -u 101 envoy`, which rewrites /etc/passwd on a read-only root",
      "edge: the image's entrypoint runs `usermod -u 101 envoy`, which rewrites /etc/shadow on a read-only root",
      "edge: the image's entrypoint runs `groupmod -g 101 envoy`, which rewrites /etc/group on a read-only root",
      "edge: the image's entrypoint runs `groupmod -g 101 envoy`, which rewrites /etc/gshadow on a read-only root",
      "edge: the image's entrypoint runs `chown envoy:envoy /dev/stdout /dev/stderr`, which needs CAP_CHOWN (dropped)",
      "edge: the image's entrypoint runs `su-exec envoy envoy`, which needs CAP_SETUID (dropped)",
      "edge: the image's entrypoint runs `su-exec envoy envoy`, which needs CAP_SETGID (dropped)",
    ]);
  });

  test("when ENVOY_UID is 0 or the container starts as another user, then the entrypoint does nothing first", () => {
    expect(envoyEntrypoint({ environment: { ENVOY_UID: "0", ENVOY_GID: "101" } })).toEqual([]);
    expect(envoyEntrypoint({ user: "101:101", environment: { ENVOY_UID: "101" } })).toEqual([]);
    expect(envoyEntrypoint({}).map((s) => s.command)).toEqual(["chown envoy:envoy /dev/stdout /dev/stderr", "su-exec envoy envoy"]);
  });

  test("when Envoy runs as its own user without the entrypoint's chown, then no access log is a /dev/stdout file", () => {
    for (const [name, s] of envoys) {
      const file = s
        .volumes!.map(String)
        .find((v) => v.endsWith(":/etc/envoy/envoy.yaml:ro"))!
        .split(":")[0]!;
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      expect(text, name).not.toContain("envoy.extensions.access_loggers.file.v3.FileAccessLog");
      expect(text, name).toContain("envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
    }
  });
});

describe("health-gated start order", () => {
  test("when compose.yml is read, then every service others wait for as healthy has a health check", () => {
    expect(healthGateViolations(compose, REPO_ROOT)).toEqual([]);
  });

  test("when a waited-for service has no health check of its own or in its image, then the rule reports it", () => {
    const broken = withService("keycloak", (s) => {
      delete s.healthcheck;
    });
    expect(healthGateViolations(broken, REPO_ROOT)).toContain(
      "orders waits for keycloak to be healthy, but keycloak has no health check (compose or image)",
    );
    const disabled = withService("gateway", (s) => {
      s.healthcheck = { disable: true };
    });
    expect(healthGateViolations(disabled, REPO_ROOT)).toContain("edge waits for gateway to be healthy, but its health check is disabled");
  });
});

describe("published ports of the local stack", () => {
  test("when compose.yml is read, then every published port is bound to 127.0.0.1", () => {
    expect(publishedPortViolations(compose)).toEqual([]);
  });

  test("when a port is published on every interface, then the rule reports it", () => {
    const broken = withService("keycloak", (s) => {
      s.ports = ["8180:8180", { target: 9000, published: 9000 }, "[::]:8443:8443/tcp"];
    });
    expect(publishedPortViolations(broken)).toEqual([
      "keycloak: port 8180:8180 is published on every interface, not 127.0.0.1",
      'keycloak: port {"target":9000,"published":9000} is published on every interface, not 127.0.0.1',
      "keycloak: port [::]:8443:8443/tcp is published on ::, not 127.0.0.1",
    ]);
  });

  test("when port specs are parsed, then host address, published and container ports come apart", () => {
    expect(parsePort("127.0.0.1:4200:8080")).toEqual({ hostIp: "127.0.0.1", published: "4200", target: "8080" });
    expect(parsePort("127.0.0.1::8080")).toEqual({ hostIp: "127.0.0.1", published: "", target: "8080" });
    expect(parsePort("9090")).toEqual({ hostIp: "", published: "", target: "9090" });
    expect(parsePort({ host_ip: "127.0.0.1", published: "80", target: 8080 })).toEqual({
      hostIp: "127.0.0.1",
      published: "80",
      target: "8080",
    });
  });
});

describe("the management port", () => {
  const servers = DEPLOYABLES.filter((d) => d.component !== "job" && d.component !== "web");
  const prometheus = parse(readFileSync(join(REPO_ROOT, "k8s/observability/prometheus/prometheus.yml"), "utf8")) as {
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };

  test("when each Bun server is read, then MANAGEMENT_PORT is set and its health check asks readiness there", () => {
    expect(servers.length).toBeGreaterThanOrEqual(7);
    for (const d of servers) {
      const s = compose.services[d.name]!;
      expect(s.environment?.MANAGEMENT_PORT, d.name).toBe("9090");
      const check = [s.healthcheck!.test].flat().join(" ");
      expect(check, d.name).toContain("process.env.MANAGEMENT_PORT");
      expect(check, d.name).toContain("/health/ready");
    }
  });

  test("when an Envoy cluster health-checks a Bun server, then it asks the server's management port", () => {
    let checked = 0;
    for (const [name, s] of envoys) {
      const file = s
        .volumes!.map(String)
        .find((v) => v.endsWith(":/etc/envoy/envoy.yaml:ro"))!
        .split(":")[0]!;
      const config = parse(readFileSync(join(REPO_ROOT, file), "utf8")) as { static_resources: { clusters: any[] } };
      for (const c of config.static_resources.clusters.filter((x) => x.health_checks)) {
        for (const e of c.load_assignment.endpoints.flatMap((x: any) => x.lb_endpoints)) {
          const host = e.endpoint.address.socket_address.address as string;
          const server = compose.services[host];
          expect(server?.environment?.MANAGEMENT_PORT, `${name}/${c.name}`).toBeDefined();
          expect(String(e.endpoint.health_check_config?.port_value), `${name}/${c.name}`).toBe(server!.environment!.MANAGEMENT_PORT!);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  test("when Prometheus's compose scrape config is read, then each server is scraped on its management port", () => {
    for (const d of servers) {
      const job = prometheus.scrape_configs.find((j) => j.job_name === d.name);
      expect(
        job?.static_configs.flatMap((c) => c.targets),
        d.name,
      ).toEqual([`${d.name}:${compose.services[d.name]!.environment!.MANAGEMENT_PORT}`]);
    }
  });
});
