/* The explain / what-if panel and the insight charts.
 *
 * A click on any element with data-explain-url loads that URL into the offcanvas #explain-panel
 * (htmx sends HX-Request, so the view answers a fragment) and shows it; links inside the panel
 * that carry data-explain-url load there too. Ctrl/Cmd-click still opens the page itself.
 * Charts: elements with data-insight-chart draw from the JSON of #effectiveness-data (ECharts,
 * SVG renderer so they print sharply): each scatter with its fitted line and the line's 95% band,
 * and the coefficient of each year with its 95% interval as a band. The tables beside them hold
 * the same numbers.
 */
(function () {
  "use strict";

  function panel() {
    return document.getElementById("explain-panel");
  }

  function load(url) {
    var element = panel();
    if (!element || !window.htmx || !window.bootstrap) {
      window.location.href = url;
      return;
    }
    var body = element.querySelector(".offcanvas-body");
    body.textContent = "";
    var spinner = document.createElement("div");
    spinner.className = "text-body-secondary small p-3";
    spinner.textContent = element.getAttribute("data-loading") || "…";
    body.appendChild(spinner);
    window.bootstrap.Offcanvas.getOrCreateInstance(element).show();
    window.htmx.ajax("GET", url, { target: body, swap: "innerHTML" }).catch(function () {
      body.textContent = (element.getAttribute("data-failed") || "") + " ";
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      body.appendChild(link);
    });
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-explain-url]");
    if (!trigger || event.defaultPrevented) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    load(trigger.getAttribute("data-explain-url"));
  });

  document.addEventListener("keydown", function (event) {
    // Elements that are not links or buttons still open the panel from the keyboard.
    if (event.key !== "Enter" && event.key !== " ") return;
    var trigger = event.target.closest("[data-explain-url]");
    if (!trigger || trigger.matches("a, button")) return;
    event.preventDefault();
    load(trigger.getAttribute("data-explain-url"));
  });

  // A what-if with values the engine refused answers 400 with the form and its errors: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && event.detail.target.closest("[data-insight], #explain-panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var charts = [];

  function chartData() {
    var source = document.getElementById("effectiveness-data");
    return source ? JSON.parse(source.textContent) : null;
  }

  // The fitted line's 95% band as one shaded polygon: along the upper edge, back along the lower.
  function bandSeries(name, band) {
    return {
      type: "custom", name: name, silent: true, tooltip: { show: false }, z: 1,
      data: [[band[0][0], band[0][2]]],  // one item, on the band: it draws the whole polygon
      encode: { x: 0, y: 1 },
      renderItem: function (params, api) {
        var upper = band.map(function (b) { return api.coord([b[0], b[3]]); });
        var lower = band.slice().reverse().map(function (b) { return api.coord([b[0], b[2]]); });
        return { type: "polygon", shape: { points: upper.concat(lower) }, style: { fill: "rgba(108, 117, 125, 0.2)" } };
      },
    };
  }

  function scatterOption(item, labels) {
    var series = [];
    if (item.fit) {
      var band = item.fit.band;
      var edge = { type: "line", symbol: "none", silent: true, tooltip: { show: false }, lineStyle: { opacity: 0 } };
      // Unseen edges of the band: they make the axes span it (a custom series does not).
      series.push(Object.assign({ data: band.map(function (b) { return [b[0], b[2]]; }) }, edge));
      series.push(Object.assign({ data: band.map(function (b) { return [b[0], b[3]]; }) }, edge));
      series.push(bandSeries(labels.band, band));
      series.push({
        type: "line", name: labels.fit, data: band.map(function (b) { return [b[0], b[1]]; }),
        symbol: "none", lineStyle: { color: "#495057", width: 1.5 }, silent: true, tooltip: { show: false }, z: 2,
      });
    }
    series.push({ type: "scatter", symbolSize: 9, itemStyle: { color: "#c8102e", opacity: 0.75 }, data: item.points, z: 3 });
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      tooltip: {
        formatter: function (p) {
          return p.value[2] + "<br>" + labels.x + ": " + p.value[0] + "<br>" + item.name + ": " + p.value[1];
        },
      },
      xAxis: { type: "value", name: labels.x, nameLocation: "middle", nameGap: 26, scale: true },
      yAxis: { type: "value", name: item.unit || "", scale: true, minInterval: item.ordinal ? 1 : 0 },
      series: series,
    };
  }

  // Each year's coefficient as a point with its 95% interval as a whisker; measures side by side.
  function yearsOption(years, labels) {
    var palette = ["#c8102e", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];
    var count = years.series.length;
    var series = [];
    years.series.forEach(function (s, index) {
      var color = palette[index % palette.length];
      var name = s.name + " (" + s.symbol + ")";
      var offset = (index - (count - 1) / 2) * 0.08;  // in category widths, so whiskers do not overlap
      series.push({
        type: "custom", name: name, itemStyle: { color: color },
        data: s.values.map(function (v, i) { return v && v.low !== null ? [i, v.low, v.high] : null; })
          .filter(function (d) { return d !== null; }),
        encode: { x: 0, y: [1, 2] },
        renderItem: function (params, api) {
          var low = api.coord([api.value(0), api.value(1)]);
          var high = api.coord([api.value(0), api.value(2)]);
          var shift = api.size([1, 0])[0] * offset;
          var x = low[0] + shift;
          var style = { stroke: color, lineWidth: 1.5 };
          return { type: "group", children: [
            { type: "line", shape: { x1: x, y1: low[1], x2: x, y2: high[1] }, style: style },
            { type: "line", shape: { x1: x - 4, y1: low[1], x2: x + 4, y2: low[1] }, style: style },
            { type: "line", shape: { x1: x - 4, y1: high[1], x2: x + 4, y2: high[1] }, style: style },
          ] };
        },
        tooltip: { show: false },
      });
      series.push({
        type: "scatter", name: name, symbolSize: 8, itemStyle: { color: color },
        data: s.values.map(function (v, i) { return v ? [i + offset, v.value, i] : null; })
          .filter(function (d) { return d !== null; }),
        tooltip: {
          formatter: function (p) {
            var v = s.values[p.value[2]];
            var text = years.labels[p.value[2]] + "<br>" + p.marker + s.name + ": " + s.symbol + " = " + v.value.toFixed(2);
            if (v.low !== null) text += " [" + v.low.toFixed(2) + ", " + v.high.toFixed(2) + "]";
            return text + " (n = " + v.n + ")";
          },
        },
      });
    });
    return {
      animation: false,
      grid: { left: 56, right: 16, top: 56, bottom: 32 },
      tooltip: { trigger: "item" },
      legend: { top: 0, type: "scroll", data: years.series.map(function (s) { return s.name + " (" + s.symbol + ")"; }) },
      // Years at 0, 1, 2 … with half a year of room either side for the whiskers.
      xAxis: { type: "value", min: -0.5, max: years.labels.length - 0.5, splitLine: { show: false },
               axisTick: { customValues: years.labels.map(function (_l, i) { return i; }) },
               axisLabel: { customValues: years.labels.map(function (_l, i) { return i; }),
                            formatter: function (value) { return years.labels[Math.round(value)] || ""; } } },
      yAxis: { type: "value", min: -1, max: 1, name: labels.r, axisLine: { onZero: false } },
      series: series,
    };
  }

  function drawCharts(root) {
    if (!window.echarts) return;
    var data = chartData();
    if (!data) return;
    (root || document).querySelectorAll("[data-insight-chart]").forEach(function (element) {
      if (element.getAttribute("data-drawn")) return;
      var kind = element.getAttribute("data-insight-chart");
      var option = null;
      if (kind === "scatter") {
        option = scatterOption(data.scatter[Number(element.getAttribute("data-chart-index"))], data.labels);
      } else if (kind === "years") {
        option = yearsOption(data.years, data.labels);
      }
      if (!option) return;
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option);
      element.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  function resize() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawCharts(event.detail.target);
  });
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
