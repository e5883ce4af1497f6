/**
 * The Envoy configurations compose runs (mesh/envoy), checked field by field against Envoy's v3 protos
 * (npm @grpc/grpc-js-xds, deps/envoy-api): Envoy itself is not on this machine, so this is the closest
 * thing to `envoy --mode validate`. Unknown, deprecated and oneof-conflicting fields fail, inside
 * `typed_config` too. The checker's own cases prove it catches each kind of mistake.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { EnvoyProtoChecker, type Finding } from "./envoy-proto";

setDefaultTimeout(60_000);

const ENVOY_DIR = join(import.meta.dir, "../envoy");
const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

let checker: EnvoyProtoChecker;
beforeAll(() => {
  checker = new EnvoyProtoChecker();
});

/** A minimal bootstrap with one listener whose HTTP connection manager routes to one cluster. */
function bootstrap(route: Record<string, unknown>, cluster: Record<string, unknown> = {}, hcm: Record<string, unknown> = {}) {
  return {
    static_resources: {
      listeners: [
        {
          name: "l",
          address: { socket_address: { address: "127.0.0.1", port_value: 8080 } },
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type": HCM,
                    stat_prefix: "l",
                    ...hcm,
                    route_config: {
                      virtual_hosts: [
                        { name: "v", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "c", ...route } }] },
                      ],
                    },
                    http_filters: [
                      {
                        name: "envoy.filters.http.router",
                        typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [{ name: "c", type: "STRICT_DNS", connect_timeout: "2s", ...cluster }],
    },
  };
}

const problems = (findings: Finding[]) => findings.map((f) => `${f.path}: ${f.problem}`);

describe("Envoy configs against the v3 protos", () => {
  const files = readdirSync(ENVOY_DIR).filter((f) => f.endsWith(".yaml"));

  test("when the configs are listed, then there are some to check", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  test.each(files)("when %s is read as an Envoy Bootstrap, then every field is known, current and unambiguous", (file) => {
    const config = parse(readFileSync(join(ENVOY_DIR, file), "utf8"));
    expect(problems(checker.check(config))).toEqual([]);
  });
});

describe("the proto checker", () => {
  test("when a well-formed bootstrap is checked, then it reports nothing", () => {
    expect(problems(checker.check(bootstrap({ timeout: "10s" })))).toEqual([]);
  });

  test("when a field is misspelt, also inside typed_config, then it is reported as unknown", () => {
    const found = problems(checker.check(bootstrap({ retry_policy: { per_try_timout: "1s" } }, {}, { stream_idle_timout: "1s" })));
    expect(found.some((p) => p.includes("retry_policy.per_try_timout: unknown field of envoy.config.route.v3.RetryPolicy"))).toBe(true);
    expect(found.some((p) => p.includes("<HttpConnectionManager>.stream_idle_timout: unknown field"))).toBe(true);
  });

  test("when a v2 field removed from v3 is used, then it is reported as unknown", () => {
    expect(problems(checker.check(bootstrap({}, { hosts: [] })))).toEqual([
      "Bootstrap.static_resources.clusters[0].hosts: unknown field of envoy.config.cluster.v3.Cluster",
    ]);
  });

  test("when a deprecated field or enum value is used, then it is reported", () => {
    expect(problems(checker.check(bootstrap({}, { max_requests_per_connection: 1 })))).toEqual([
      "Bootstrap.static_resources.clusters[0].max_requests_per_connection: deprecated field of envoy.config.cluster.v3.Cluster",
    ]);
    const thrift = {
      "@type": "type.googleapis.com/envoy.extensions.filters.network.thrift_proxy.v3.ThriftProxy",
      stat_prefix: "t",
      protocol: "TWITTER",
    };
    expect(problems(checker.check(thrift, "google.protobuf.Any"))).toEqual([
      "Any<ThriftProxy>.protocol: deprecated value TWITTER of envoy.extensions.filters.network.thrift_proxy.v3.ProtocolType",
    ]);
  });

  test("when two members of a oneof are set, then the conflict is reported", () => {
    expect(problems(checker.check(bootstrap({ cluster_header: "x-cluster" })))).toEqual([
      "Bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config<HttpConnectionManager>.route_config.virtual_hosts[0].routes[0].route: oneof cluster_specifier has more than one member set: cluster, cluster_header",
    ]);
  });

  test("when a validation rule of the protos is broken, then it is reported as Envoy would refuse it", () => {
    const route =
      "Bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config<HttpConnectionManager>.route_config.virtual_hosts[0].routes[0]";
    const config = bootstrap({}, { outlier_detection: { max_ejection_percent: 150 } });
    const vh = config.static_resources.listeners[0]!.filter_chains[0]!.filters[0]!.typed_config.route_config.virtual_hosts[0]!;
    delete (vh as Record<string, unknown>).domains;
    delete (vh.routes[0] as Record<string, unknown>).match;
    delete (vh.routes[0]!.route as Record<string, unknown>).cluster;
    expect(problems(checker.check(config))).toEqual([
      `${route}.route: oneof cluster_specifier needs one of: cluster, cluster_header, weighted_clusters, cluster_specifier_plugin, inline_cluster_specifier_plugin`,
      `${route}.match: required field is missing`,
      "Bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config<HttpConnectionManager>.route_config.virtual_hosts[0].domains: needs at least 1 item(s)",
      "Bootstrap.static_resources.clusters[0].outlier_detection.max_ejection_percent: must be at most 100, got 150",
    ]);
  });

  test("when a value has the wrong form or @type names nothing, then it is reported", () => {
    expect(problems(checker.check(bootstrap({ timeout: "10" }, { lb_policy: "FASTEST" })))).toEqual([
      'Bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config<HttpConnectionManager>.route_config.virtual_hosts[0].routes[0].route.timeout: expected a duration like "2s", got "10"',
      "Bootstrap.static_resources.clusters[0].lb_policy: FASTEST is not a value of envoy.config.cluster.v3.Cluster.LbPolicy",
    ]);
    expect(
      problems(checker.check({ "@type": "type.googleapis.com/envoy.extensions.filters.http.nothing.v3.Nothing" }, "google.protobuf.Any")),
    ).toEqual(["Any: @type type.googleapis.com/envoy.extensions.filters.http.nothing.v3.Nothing names no message in Envoy's v3 protos"]);
  });
});
