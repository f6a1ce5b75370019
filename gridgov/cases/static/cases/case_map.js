/*
 * GridGov case map: the reported point and the boundary of its grid, on a plain background unless a tile URL is
 * configured (the same map-config the region map reads).
 *
 *   <script type="application/json" id="map-config">  {tileUrl, tileAttribution, center, zoom}
 *   <script type="application/json" id="case-grid">   a GeoJSON Feature of the grid, or null
 *   <div data-case-map data-config-id="map-config" data-grid-id="case-grid" data-lat="…" data-lon="…"
 *        data-label-point="…">
 * After drawing, the container carries data-state="ready".
 *
 * Plain ES2020, no modules; needs Leaflet (window.L) loaded first.
 */
(function () {
  "use strict";

  var GRID_STYLE = { color: "#2f6f9f", weight: 2, opacity: 0.9, fillColor: "#5b9bd5", fillOpacity: 0.1 };
  var POINT_STYLE = { radius: 8, color: "#b4451f", weight: 2, fillColor: "#e8833a", fillOpacity: 0.9 };

  function readJson(id) {
    return window.GridGov.readJson(id, null);
  }

  function init(container) {
    if (typeof L === "undefined") return;
    var lat = parseFloat(container.dataset.lat);
    var lon = parseFloat(container.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) return;
    var config = readJson(container.dataset.configId || "map-config") || {};

    var map = window.GridGov.baseMap(container, config, { center: [lat, lon], zoom: 16 }, "region-map--plain");

    var bounds = L.latLngBounds([[lat, lon], [lat, lon]]);
    var grid = readJson(container.dataset.gridId);
    if (grid && grid.geometry) {
      var layer = L.geoJSON(grid, { style: GRID_STYLE, interactive: false }).addTo(map);
      if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
    }
    L.circleMarker([lat, lon], POINT_STYLE)
      .bindTooltip(container.dataset.labelPoint || "", { direction: "top" })
      .addTo(map);
    map.fitBounds(bounds.pad(0.1), { animate: false, maxZoom: 17 });
    container.dataset.state = "ready";
  }

  function start() {
    document.querySelectorAll("[data-case-map]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
