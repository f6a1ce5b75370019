/*
 * Command center analysis (分析研判): the trend chart (ECharts) and the hotspot map (Leaflet).
 *
 * Everything comes from the page (views/analysis.py, templates/command/analysis_*.html):
 *   <div data-trend-chart data-chart-id="…">          id of a json_script: {buckets: [...], series: [{name, data}]}
 *   <div data-hotspot-map data-config-id="…"          the site's map config (GridGov.baseMap)
 *        data-data-id="…"                             {hotspots: [{rank, lat, lon, radius, cases, categories,
 *                                                       grids, url}], boundary: GeoJSON|null, bbox: [[s,w],[n,e]]|null}
 *        data-grids-url="…"                           optional: GeoJSON of the area's grids, drawn under the hotspots
 *        data-status-id="…"                           element that reports what is shown (role="status")
 *        data-label-*="…">                            translated strings; "%(name)s" placeholders are replaced
 * The tables under the chart and the map give the same numbers without JavaScript.
 *
 * Plain ES2020, no modules; needs window.echarts for the chart, and Leaflet plus core/map_base.js for the map.
 */
(function () {
  "use strict";

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

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  // --- trend chart ------------------------------------------------------------------------------------------------

  function drawTrendChart(container) {
    if (!window.echarts) return;
    var data = readJson(container.dataset.chartId, { buckets: [], series: [] });
    var language = (document.documentElement.lang || "").toLowerCase();
    var chart = window.echarts.init(container, null, { locale: language.indexOf("zh") === 0 ? "ZH" : "EN" });
    var kind = data.buckets.length > 1 ? "line" : "bar";
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 24, top: 40, bottom: 56 },
      xAxis: { type: "category", data: data.buckets, boundaryGap: kind === "bar" },
      yAxis: { type: "value", minInterval: 1, name: container.dataset.labelCases || "" },
      dataZoom: data.buckets.length > 31 ? [{ type: "slider", bottom: 8 }] : [],
      series: data.series.map(function (series) {
        return { name: series.name, type: kind, data: series.data, symbolSize: 6 };
      }),
    });
    container.dataset.state = "ready";
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  // --- hotspot map ------------------------------------------------------------------------------------------------

  var HOTSPOT_STYLE = { color: "#b4451f", weight: 2, fillColor: "#e8833a", fillOpacity: 0.3 };
  var BOUNDARY_STYLE = { color: "#1d1d1d", weight: 2, opacity: 0.8, fill: false, dashArray: "6 4" };
  var GRID_STYLE = { color: "#2f6f9f", weight: 1, opacity: 0.7, fill: false };

  function drawGrids(map, url, fitWhenEmpty) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data || !Array.isArray(data.features) || !data.features.length) return;
        var layer = L.geoJSON(data, { style: GRID_STYLE, interactive: false }).addTo(map);
        layer.bringToBack();
        if (fitWhenEmpty && layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [16, 16] });
      })
      .catch(function () {
        // The grid outlines are context only: the hotspots and the table stand without them.
      });
  }

  function popupHtml(hotspot, data) {
    var lines = [
      "<strong>" + escapeHtml(format(data.labelHotspot, { rank: hotspot.rank })) + "</strong>",
      escapeHtml(format(data.labelCases, { count: hotspot.cases })) +
        ", " +
        escapeHtml(format(data.labelRadius, { radius: hotspot.radius })),
    ];
    var categories = (hotspot.categories || []).map(function (share) {
      return escapeHtml(share.label) + " (" + share.count + ")";
    });
    if (categories.length) lines.push(categories.join(", "));
    var grids = (hotspot.grids || []).map(function (share) {
      return escapeHtml(share.label);
    });
    if (grids.length) lines.push(grids.join(", "));
    if (hotspot.url) {
      lines.push('<a href="' + escapeHtml(hotspot.url) + '">' + escapeHtml(data.labelShowCases) + "</a>");
    }
    return lines.join("<br>");
  }

  function drawHotspotMap(container) {
    if (!window.L || !window.GridGov || !window.GridGov.baseMap) return;
    var data = container.dataset;
    var config = readJson(data.configId, {});
    var content = readJson(data.dataId, { hotspots: [] });
    var status = data.statusId ? document.getElementById(data.statusId) : null;
    var map = window.GridGov.baseMap(container, config, {}, "region-map--plain");
    var bounds = null;

    if (content.boundary) {
      var outline = L.geoJSON(content.boundary, { style: BOUNDARY_STYLE, interactive: false }).addTo(map);
      bounds = outline.getBounds();
    } else if (content.bbox) {
      bounds = L.latLngBounds(content.bbox);
    }

    var spots = L.featureGroup().addTo(map);
    (content.hotspots || []).forEach(function (hotspot) {
      var circle = L.circle([hotspot.lat, hotspot.lon], Object.assign({ radius: hotspot.radius }, HOTSPOT_STYLE));
      circle.bindPopup(popupHtml(hotspot, data));
      circle.bindTooltip(String(hotspot.rank), { permanent: true, direction: "center", className: "analysis-map__rank" });
      circle.addTo(spots);
    });

    if (spots.getLayers().length) {
      var spotBounds = spots.getBounds();
      bounds = bounds ? bounds.extend(spotBounds) : spotBounds;
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });

    var count = spots.getLayers().length;
    if (data.gridsUrl) drawGrids(map, data.gridsUrl, !(bounds && bounds.isValid()));
    container.dataset.state = "ready";
    container.dataset.hotspotCount = String(count);
    if (status) status.textContent = count ? format(data.labelShown, { count: count }) : data.labelNone || "";
  }

  function start() {
    document.querySelectorAll("[data-trend-chart]").forEach(drawTrendChart);
    document.querySelectorAll("[data-hotspot-map]").forEach(drawHotspotMap);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
