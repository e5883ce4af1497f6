/**
 * Shared building blocks for Meridian's Grafana dashboards (Grafana Foundation SDK). Every query goes
 * through `prom()` so the datasource is the dashboard's `datasource` variable: the same JSON works with
 * the compose datasource (uid "prometheus") and with whatever Prometheus a cluster's Grafana has.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type ValueMapping,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;
/** Grafana's rate window that adapts to the scrape interval and zoom level. */
export const RATE = "$__rate_interval";

export interface Query {
  expr: string;
  legend?: string;
  instant?: boolean;
}

function target(query: Query, index: number): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend ?? "__auto");
  if (query.instant) builder.instant();
  else builder.range();
  return builder;
}

export function meridianDashboard(options: { uid: string; title: string; description: string }): DashboardBuilder {
  return new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags(["meridian"])
    .editable()
    .refresh("30s")
    .time({ from: "now-1h", to: "now" })
    .timezone("browser")
    .link(
      new DashboardLinkBuilder("Meridian dashboards")
        .type(DashboardLinkType.Dashboards)
        .tags(["meridian"])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    )
    .withVariable(new DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus").hide(VariableHide.DontHide));
}

/** A multi-select variable over the values of `label` found on `metric`. */
export function labelVariable(name: string, label: string, metric: string, title: string): QueryVariableBuilder {
  const query = `label_values(${metric}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(DATASOURCE)
    .query({ qryType: 1, query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".+");
}

interface PanelOptions {
  title: string;
  description?: string;
  unit?: string;
  queries: Query[];
  width?: number;
  height?: number;
}

export function timeSeries(options: PanelOptions & { stacked?: boolean; min?: number; max?: number }): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(options.title)
    .datasource(DATASOURCE)
    .unit(options.unit ?? "short")
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .lineWidth(1)
    .fillOpacity(options.stacked ? 30 : 10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(["mean", "max", "lastNotNull"]),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (options.description) panel.description(options.description);
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  if (options.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  options.queries.forEach((q, i) => {
    panel.withTarget(target(q, i));
  });
  return panel;
}

export interface Threshold {
  value: number | null;
  color: string;
}

export function statPanel(
  options: PanelOptions & { thresholds?: Threshold[]; mappings?: ValueMapping[]; decimals?: number },
): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(options.title)
    .datasource(DATASOURCE)
    .unit(options.unit ?? "short")
    .span(options.width ?? 6)
    .height(options.height ?? 4)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(options.thresholds ?? [{ value: null, color: "green" }]));
  if (options.description) panel.description(options.description);
  if (options.decimals !== undefined) panel.decimals(options.decimals);
  if (options.mappings) panel.mappings(options.mappings);
  options.queries.forEach((q, i) => {
    panel.withTarget(target(q, i));
  });
  return panel;
}

export function stateTimeline(options: PanelOptions & { thresholds: Threshold[]; mappings: ValueMapping[] }): statetimeline.PanelBuilder {
  const panel = new statetimeline.PanelBuilder()
    .title(options.title)
    .datasource(DATASOURCE)
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .showValue(common.VisibilityMode.Never)
    .mappings(options.mappings)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(options.thresholds));
  if (options.description) panel.description(options.description);
  options.queries.forEach((q, i) => {
    panel.withTarget(target(q, i));
  });
  return panel;
}

export function valueText(map: Record<string, { text: string; color: string }>): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(map).forEach(([value, shown], index) => {
    options[value] = { ...shown, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}
