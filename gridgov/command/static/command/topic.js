/*
 * Topic screens (专题): the trend chart of the cases reported and resolved per day or week (ECharts).
 *
 *   <script type="application/json" id="topic-trend-data">  {labels: [...], series: [{key, name, data: [...]}]}
 *   <div data-topic-chart data-chart-id="topic-trend-data">  the chart; the table under it gives the same numbers
 * After drawing, the container carries data-state="ready". The map, feed and numbers are command/overview.js's.
 *
 * Plain ES2020, no modules; needs window.echarts (vendor/echarts/echarts.min.js).
 */
(function () {
  "use strict";

  var SERIES_COLOURS = { reported: "#1f5f8b", resolved: "#2e7d32" };

  function readJson(id, fallback) {
    if (window.GridGov && window.GridGov.readJson) return window.GridGov.readJson(id, fallback);
    var node = id ? document.getElementById(id) : null;
    if (!node) return fallback;
    try {
      return JSON.parse(node.textContent || "null") || fallback;
    } catch (error) {
      return fallback;
    }
  }

  function draw(container) {
    if (!window.echarts) return;
    var data = readJson(container.dataset.chartId, { labels: [], series: [] });
    var dark = !!container.closest(".command--large");
    var language = (document.documentElement.lang || "").toLowerCase();
    var chart = window.echarts.init(container, dark ? "dark" : null, {
      locale: language.indexOf("zh") === 0 ? "ZH" : "EN",
    });
    chart.setOption({
      animation: false,
      backgroundColor: "transparent",
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 44, right: 16, top: 36, bottom: data.labels.length > 31 ? 56 : 28 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: data.labels.length > 31 ? [{ type: "slider", bottom: 8 }] : [],
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: series.key === "reported" ? "bar" : "line",
          data: series.data,
          symbolSize: 6,
          itemStyle: { color: SERIES_COLOURS[series.key] },
        };
      }),
    });
    container.dataset.state = "ready";
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    document.querySelectorAll("[data-topic-chart]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
