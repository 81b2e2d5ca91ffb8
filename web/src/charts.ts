/** ECharts, tree-shaken: only the charts the wall draws (pie, bar, the 30-day trend's lines,
 * the grid map and its pins, a treemap for grids without boundaries), on canvas. */
import { BarChart, EffectScatterChart, LineChart, PieChart, TreemapChart } from "echarts/charts";
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { init, registerMap, use, type ComposeOption, type ECharts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type {
  BarSeriesOption,
  EffectScatterSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
  TreemapSeriesOption,
} from "echarts/charts";
import type {
  GeoComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
} from "echarts/components";

use([
  PieChart,
  BarChart,
  LineChart,
  EffectScatterChart,
  TreemapChart,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = ComposeOption<
  | PieSeriesOption
  | BarSeriesOption
  | LineSeriesOption
  | EffectScatterSeriesOption
  | TreemapSeriesOption
  | GeoComponentOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
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

/** What the charts on axes share: no animation, an axis tooltip, the legend on top, and the
 * grid's margins (left, right, top, bottom) as laid out at 1920 px. */
function axisChart(scale: number, font: number, [left, right, top, bottom]: [number, number, number, number]): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, itemWidth: 25 * scale, itemHeight: 14 * scale, textStyle: { color: TEXT, fontSize: font } },
    grid: { left: left * scale, right: right * scale, top: top * scale, bottom: bottom * scale },
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
    ...axisChart(scale, font, [56, 16, 44, 36]),
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
    barMaxWidth: 26 * scale,
    itemStyle: { color: colour },
    label: { show: true, position: "right" as const, color: TEXT, fontSize: Math.round(13 * scale) },
    data: worstOnTop.map(pick),
  });
  return {
    ...axisChart(scale, font, [110, 40, 40, 20]),
    xAxis: { type: "value", minInterval: 1, axisLabel: { color: TEXT, fontSize: Math.round(12 * scale) }, splitLine: { lineStyle: { color: "#24324a" } } },
    yAxis: { type: "category", data: worstOnTop.map((row) => row.name), axisLabel: { color: TEXT, fontSize: font } },
    series: [bar("超期", "#e5484d", (row) => row.overdueCases), bar("在办", "#3e8ef7", (row) => row.openCases)],
  };
}

/** The 30-day trend: cases reported, closed and overdue (at each day's end) per day, today last. */
export function trendOption(
  days: readonly { day: string; reported: number; closed: number; overdue: number }[],
  scale = 1,
): ChartOption {
  const font = Math.round(13 * scale);
  const line = (name: string, colour: string, pick: (day: (typeof days)[number]) => number) => ({
    type: "line" as const,
    name,
    showSymbol: false,
    lineStyle: { color: colour, width: 2 * scale },
    itemStyle: { color: colour },
    data: days.map(pick),
  });
  return {
    ...axisChart(scale, font, [40, 16, 34, 26]),
    xAxis: {
      type: "category",
      boundaryGap: false,
      data: days.map((day) => day.day.slice(5).replace("-", "/")),
      axisLabel: { color: TEXT, fontSize: Math.round(12 * scale) },
    },
    yAxis: {
      type: "value",
      minInterval: 1,
      axisLabel: { color: TEXT, fontSize: Math.round(12 * scale) },
      splitLine: { lineStyle: { color: "#24324a" } },
    },
    series: [
      line("上报", "#3e8ef7", (day) => day.reported),
      line("办结", "#4cc38a", (day) => day.closed),
      line("超期", "#e5484d", (day) => day.overdue),
    ],
  };
}

/** One node of the grid map (the `gridMap` query's cell). */
export interface MapCell {
  path: string;
  name: string;
  boundary?: unknown;
  openCases: number;
  overdueCases: number;
}

/** A cell's colour: red with overdue cases, amber with open ones, dark blue when quiet. */
export function cellColour(cell: MapCell): string {
  if (cell.overdueCases > 0) return cell.overdueCases > 2 ? "#c8102e" : "#e5484d";
  if (cell.openCases > 0) return cell.openCases > 2 ? "#f08c00" : "#f5c400";
  return "#1d3a66";
}

type Ring = [number, number][];

/** The centre of a cell's bounding box, where its pin goes; null without a boundary. */
export function centreOf(boundary: unknown): [number, number] | null {
  const shape = boundary as { type?: string; coordinates?: unknown } | null;
  if (!shape?.coordinates) return null;
  const polygons = (shape.type === "Polygon" ? [shape.coordinates] : shape.coordinates) as Ring[][];
  const points = polygons.flatMap((polygon) => polygon[0] ?? []);
  if (!points.length) return null;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

let registered = "";

/**
 * The grid map: each cell its own boundary (GeoJSON, no tiles) coloured by its cases, with
 * a pin on the cells where `pins` (cell paths) name new cases. A grid whose cells have no
 * boundary is laid out as a treemap of the same colours instead.
 */
export function gridMapOption(cells: readonly MapCell[], pins: readonly string[], scale = 1): ChartOption {
  const font = Math.round(13 * scale);
  const drawn = cells.filter((cell) => cell.boundary);
  if (!drawn.length) {
    return {
      animation: false,
      tooltip: { formatter: "{b}: {c}" },
      series: [
        {
          type: "treemap",
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          label: { color: TEXT, fontSize: font },
          data: cells.map((cell) => ({
            name: cell.name,
            value: cell.openCases + 1, // a quiet cell keeps a place
            itemStyle: { color: cellColour(cell), borderColor: "#0b1426" },
          })),
        },
      ],
    };
  }
  const key = drawn.map((cell) => cell.path).join(",");
  if (key !== registered) {
    registerMap("wall-grid", {
      type: "FeatureCollection",
      features: drawn.map((cell) => ({
        type: "Feature",
        properties: { name: cell.path },
        geometry: cell.boundary,
      })),
    } as never);
    registered = key;
  }
  const names = new Map(cells.map((cell) => [cell.path, cell]));
  const pinned = pins.flatMap((path) => {
    const centre = centreOf(names.get(path)?.boundary);
    return centre ? [{ name: names.get(path)?.name ?? path, value: centre }] : [];
  });
  return {
    tooltip: { trigger: "item" },
    geo: {
      map: "wall-grid",
      roam: false,
      layoutCenter: ["50%", "50%"],
      layoutSize: "96%",
      label: {
        show: drawn.length <= 40,
        color: TEXT,
        fontSize: font,
        formatter: (params: { name: string }) => names.get(params.name)?.name ?? "",
      },
      tooltip: {
        show: true,
        formatter: (params: { name: string }) => {
          const cell = names.get(params.name);
          return cell ? `${cell.name}<br/>在办 ${cell.openCases} · 超期 ${cell.overdueCases}` : "";
        },
      },
      itemStyle: { borderColor: "#0b1426", borderWidth: 1 },
      emphasis: { disabled: true },
      regions: drawn.map((cell) => ({ name: cell.path, itemStyle: { areaColor: cellColour(cell) } })),
    },
    series: [
      {
        type: "effectScatter",
        coordinateSystem: "geo",
        symbolSize: 16 * scale,
        rippleEffect: { scale: 3, brushType: "stroke" },
        itemStyle: { color: "#ffffff" },
        data: pinned,
      },
    ],
  };
}
