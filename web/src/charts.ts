/** ECharts, tree-shaken: only the pie and bar charts the wall draws, on canvas. */
import { BarChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { init, use, type ComposeOption, type ECharts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { BarSeriesOption, PieSeriesOption } from "echarts/charts";
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from "echarts/components";

use([PieChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  PieSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export function makeChart(element: HTMLElement): ECharts {
  return init(element, undefined, { renderer: "canvas" });
}

const TEXT = "#e8eef8";

const COLOURS: Record<string, { label: string; colour: string }> = {
  RED: { label: "红色户", colour: "#e5484d" },
  BLUE: { label: "蓝色户", colour: "#3e8ef7" },
  YELLOW: { label: "黄色户", colour: "#f5c400" },
  NONE: { label: "未标注", colour: "#6b7a90" },
};

/** Chart options for a screen `scale` times as wide as 1920 px. */
export function householdsOption(rows: readonly { colour: string; count: number }[], scale = 1): ChartOption {
  const font = Math.round(16 * scale);
  return {
    animation: false,
    tooltip: { trigger: "item" },
    legend: { bottom: 0, itemWidth: 25 * scale, itemHeight: 14 * scale, textStyle: { color: TEXT, fontSize: font } },
    series: [
      {
        type: "pie",
        radius: ["45%", "72%"],
        center: ["50%", "45%"],
        label: { color: TEXT, fontSize: font, formatter: "{b}\n{c}" },
        data: rows.map((row) => ({
          name: COLOURS[row.colour]?.label ?? row.colour,
          value: row.count,
          itemStyle: { color: COLOURS[row.colour]?.colour ?? "#999" },
        })),
      },
    ],
  };
}

export function coverageOption(
  rows: readonly { level: number; partyOrganisationShare: number; headShare: number; stationShare: number }[],
  scale = 1,
): ChartOption {
  const font = Math.round(16 * scale);
  const percent = (share: number): number => Math.round(share * 1000) / 10;
  const series = (name: string, colour: string, pick: (row: (typeof rows)[number]) => number) => ({
    type: "bar" as const,
    name,
    itemStyle: { color: colour },
    label: { show: true, position: "top" as const, color: TEXT, fontSize: Math.round(12 * scale), formatter: "{c}%" },
    data: rows.map((row) => percent(pick(row))),
  });
  return {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, itemWidth: 25 * scale, itemHeight: 14 * scale, textStyle: { color: TEXT, fontSize: font } },
    grid: { left: 56 * scale, right: 16 * scale, top: 44 * scale, bottom: 36 * scale },
    xAxis: {
      type: "category",
      data: rows.map((row) => `第${row.level}级`),
      axisLabel: { color: TEXT, fontSize: font },
    },
    yAxis: {
      type: "value",
      max: 100,
      axisLabel: { color: TEXT, fontSize: Math.round(12 * scale), formatter: "{value}%" },
      splitLine: { lineStyle: { color: "#24324a" } },
    },
    series: [
      series("党组织", "#e5484d", (row) => row.partyOrganisationShare),
      series("网格长", "#f5c400", (row) => row.headShare),
      series("服务站", "#3e8ef7", (row) => row.stationShare),
    ],
  };
}

/** A district's streets ranked by overdue cases (worst on top), with their open cases beside. */
export function rankingOption(
  rows: readonly { name: string; openCases: number; overdueCases: number }[],
  scale = 1,
): ChartOption {
  const font = Math.round(16 * scale);
  const worstOnTop = [...rows].reverse();
  const bar = (name: string, colour: string, pick: (row: (typeof rows)[number]) => number) => ({
    type: "bar" as const,
    name,
    itemStyle: { color: colour },
    label: { show: true, position: "right" as const, color: TEXT, fontSize: Math.round(13 * scale) },
    data: worstOnTop.map(pick),
  });
  return {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, itemWidth: 25 * scale, itemHeight: 14 * scale, textStyle: { color: TEXT, fontSize: font } },
    grid: { left: 110 * scale, right: 40 * scale, top: 40 * scale, bottom: 20 * scale },
    xAxis: { type: "value", axisLabel: { color: TEXT, fontSize: Math.round(12 * scale) }, splitLine: { lineStyle: { color: "#24324a" } } },
    yAxis: { type: "category", data: worstOnTop.map((row) => row.name), axisLabel: { color: TEXT, fontSize: font } },
    series: [bar("超期", "#e5484d", (row) => row.overdueCases), bar("在办", "#3e8ef7", (row) => row.openCases)],
  };
}
