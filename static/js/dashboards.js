/* The committee dashboard's charts (ECharts, served by the portal).
 *
 * The page carries its data as JSON (#dash-data, built by dashboards/selectors/charts.py); each
 * element with data-chart="…" gets one chart. Every bar, cell and point links where the table
 * link beside it goes. Charts are drawn as SVG with a viewBox, so they print sharply and the
 * print style (static/css/dashboards.css) can shrink them to the width of an A4 page. */
(function () {
  "use strict";

  const source = document.getElementById("dash-data");
  if (!source || !window.echarts) {
    return;
  }
  const data = JSON.parse(source.textContent);
  const labels = data.labels;
  const RED = "#c8102e";
  const GOLD = "#b08d3c";
  const GREY = "#8a8f98";
  const SUBMITTED = "#e0a800";
  const charts = [];

  function go(url) {
    if (url) {
      window.location.href = url;
    }
  }

  // A viewBox lets the print style scale the drawing to the page instead of cutting it off.
  function fitViewBox(chart) {
    const svg = chart.getDom().querySelector("svg");
    if (svg) {
      svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + svg.getAttribute("height"));
    }
  }

  function draw(element, option, onClick) {
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    if (onClick) {
      chart.on("click", onClick);
    }
    chart.on("finished", () => fitViewBox(chart));
    fitViewBox(chart);
    element.dataset.drawn = "";
    charts.push(chart);
    return chart;
  }

  function resizeAll() {
    charts.forEach((chart) => {
      chart.resize();
      fitViewBox(chart);
    });
  }

  function sized(element, rows, perRow, least, most) {
    const height = Math.max(least, Math.min(most, rows * perRow + 60));
    element.style.height = height + "px";
    return rows * perRow + 60 > most;
  }

  const builders = {
    ranking(element) {
      const rows = data.ranking.slice().reverse(); // best at the top
      const zoom = sized(element, rows.length, 26, 200, 640);
      const series = [
        {
          name: labels.approved,
          type: "bar",
          data: rows.map((r) => r.score),
          itemStyle: { color: RED },
          label: { show: rows.length <= 40, position: "right", formatter: (p) => (p.value == null ? "" : p.value.toFixed(1)) },
        },
      ];
      if (data.submitted) {
        series.push({
          name: labels.submitted,
          type: "bar",
          data: rows.map((r) => r.provisional),
          itemStyle: { color: SUBMITTED, decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: -0.7854 } },
        });
      }
      draw(
        element,
        {
          aria: { enabled: true, decal: { show: data.submitted } },
          grid: { left: 8, right: 48, top: data.submitted ? 28 : 8, bottom: 8, containLabel: true },
          legend: data.submitted ? { top: 0 } : undefined,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "value", max: data.reach },
          yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { width: 180, overflow: "truncate" } },
          dataZoom: zoom ? [{ type: "slider", yAxisIndex: 0, right: 0, start: 100 - (640 / (rows.length * 26)) * 100, end: 100 }, { type: "inside", yAxisIndex: 0 }] : [],
          series: series,
        },
        (params) => go(rows[params.dataIndex] && rows[params.dataIndex].url)
      );
    },

    heatmap(element) {
      const heat = data.heatmap;
      const rows = heat.rows.slice().reverse();
      const zoom = sized(element, rows.length, 24, 220, 720);
      const cells = [];
      rows.forEach((row, y) => {
        row.cells.forEach((value, x) => {
          cells.push([x, y, value == null ? "-" : value]);
        });
      });
      draw(
        element,
        {
          tooltip: { position: "top" },
          grid: { left: 8, right: zoom ? 36 : 8, top: 8, bottom: 64, containLabel: true },
          xAxis: { type: "category", data: heat.dimensions, splitArea: { show: true }, axisLabel: { interval: 0, rotate: heat.dimensions.length > 6 ? 30 : 0 } },
          yAxis: { type: "category", data: rows.map((r) => r.name), splitArea: { show: true }, axisLabel: { width: 160, overflow: "truncate" } },
          visualMap: { min: 0, max: data.max, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 160, inRange: { color: ["#b2182b", "#f4a582", "#f7f7f7", "#92c5de", "#2166ac"] } },
          dataZoom: zoom ? [{ type: "slider", yAxisIndex: 0, right: 0, start: 100 - (720 / (rows.length * 24)) * 100, end: 100 }] : [],
          series: [{ type: "heatmap", data: cells, label: { show: rows.length <= 30 && heat.dimensions.length <= 14, fontSize: 10, formatter: (p) => (p.value[2] === "-" ? "" : Math.round(p.value[2])) } }],
        },
        (params) => go(rows[params.value[1]] && rows[params.value[1]].url)
      );
    },

    radar(element) {
      const radar = data.radar;
      element.style.height = "340px";
      draw(element, {
        legend: { bottom: 0, type: "scroll" },
        tooltip: {},
        radar: { indicator: radar.dimensions, radius: "62%", axisName: { color: "#495057", fontSize: 11 } },
        series: [
          {
            type: "radar",
            data: [
              { name: labels.unit, value: radar.unit, itemStyle: { color: RED }, areaStyle: { opacity: 0.15 } },
              { name: labels.peers, value: radar.peers, itemStyle: { color: GREY }, lineStyle: { type: "dashed" } },
            ],
          },
        ],
      });
    },

    trend(element) {
      const trend = data.trend;
      element.style.height = "300px";
      draw(
        element,
        {
          legend: { bottom: 0, type: "scroll" },
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
          xAxis: { type: "category", data: trend.periods, boundaryGap: false },
          yAxis: { type: "value", max: data.reach, min: 0 },
          series: [
            {
              name: labels.unit, type: "line", data: trend.unit, symbolSize: 9, itemStyle: { color: RED }, connectNulls: true,
              markLine: { silent: true, symbol: "none", lineStyle: { color: GREY, type: "dotted" }, label: { formatter: labels.full }, data: [{ yAxis: data.max }] },
            },
            { name: labels.peers, type: "line", data: trend.peers, symbolSize: 6, itemStyle: { color: GREY }, lineStyle: { type: "dashed" }, connectNulls: true },
          ],
        },
        (params) => go(trend.urls[params.dataIndex])
      );
    },

    grades(element) {
      const grades = data.grades;
      element.style.height = "300px";
      const colors = [RED, GOLD, "#5470c6", "#91cc75", "#73c0de", "#9a60b4", "#ea7ccc", "#3ba272"];
      draw(
        element,
        {
          legend: { bottom: 0, type: "scroll" },
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
          xAxis: { type: "category", data: grades.grades },
          yAxis: { type: "value", minInterval: 1 },
          series: grades.series.map((s, i) => ({ name: s.name, type: "bar", stack: "grades", data: s.data, itemStyle: { color: colors[i % colors.length] } })),
        },
        (params) => {
          const series = grades.series[params.seriesIndex];
          go(series && series.urls[params.dataIndex]);
        }
      );
    },

    weak(element) {
      const rows = data.weak.slice().reverse(); // weakest at the top
      sized(element, rows.length, 30, 200, 420);
      const series = [
        {
          name: labels.average,
          type: "bar",
          data: rows.map((r) => r.average),
          itemStyle: { color: RED },
          label: { show: true, position: "right", formatter: "{c}%" },
        },
      ];
      if (data.submitted) {
        series.push({ name: labels.withSubmitted, type: "bar", data: rows.map((r) => r.withSubmitted), itemStyle: { color: SUBMITTED } });
      }
      draw(
        element,
        {
          legend: data.submitted ? { top: 0 } : undefined,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          grid: { left: 8, right: 48, top: data.submitted ? 28 : 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
          yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { width: 200, overflow: "truncate" } },
          series: series,
        },
        (params) => go(rows[params.dataIndex] && rows[params.dataIndex].url)
      );
    },
  };

  document.querySelectorAll("[data-chart]").forEach((element) => {
    const build = builders[element.dataset.chart];
    if (build) {
      build(element);
    }
  });

  // No redraw before printing: SVG redraws wait for the next frame, which comes after the page
  // is printed. The viewBox lets the print style shrink each drawing to the page instead.
  window.addEventListener("resize", () => resizeAll());

  // The options apply as soon as they change; the Show button stays for keyboards without JS.
  const controls = document.querySelector("[data-dash-controls]");
  if (controls) {
    controls.querySelectorAll("select, input[type=checkbox]").forEach((input) => {
      input.addEventListener("change", () => controls.submit());
    });
    const print = controls.querySelector("[data-dash-print]");
    if (print) {
      print.addEventListener("click", () => window.print());
    }
  }
})();
