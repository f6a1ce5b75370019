/*
 * GridGov alert map: the evidence cases of an alert as points, each opening a link to its case page, on a plain
 * background unless a tile URL is configured (the same map-config the other maps read).
 *
 *   <script type="application/json" id="map-config">    {tileUrl, tileAttribution, center, zoom}
 *   <script type="application/json" id="alert-points">  [{number, title, lat, lon, url}, …]
 *   <div data-alert-map data-config-id="map-config" data-points-id="alert-points">
 * After drawing, the container carries data-state="ready".
 *
 * Plain ES2020, no modules; needs Leaflet (window.L) and core/map_base.js loaded first.
 */
(function () {
  "use strict";

  var POINT_STYLE = { radius: 8, color: "#b4451f", weight: 2, fillColor: "#e8833a", fillOpacity: 0.9 };

  function popup(point) {
    // Built as DOM nodes: case titles are user text and must never be read as HTML.
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.number + " " + point.title;
    return link;
  }

  function init(container) {
    if (typeof L === "undefined" || !window.GridGov) return;
    var config = window.GridGov.readJson(container.dataset.configId || "map-config", {});
    var points = window.GridGov.readJson(container.dataset.pointsId, []).filter(function (point) {
      return isFinite(point.lat) && isFinite(point.lon);
    });
    if (!points.length) return;
    var first = [points[0].lat, points[0].lon];
    var map = window.GridGov.baseMap(container, config, { center: first, zoom: 16 }, "region-map--plain");
    var bounds = L.latLngBounds([first, first]);
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], POINT_STYLE).bindPopup(popup(point));
      var label = document.createElement("span");
      label.textContent = String(point.number);
      marker.bindTooltip(label, { direction: "top" });
      marker.addTo(map);
      bounds.extend([point.lat, point.lon]);
    });
    map.fitBounds(bounds.pad(0.2), { animate: false, maxZoom: 17 });
    container.dataset.state = "ready";
  }

  function start() {
    document.querySelectorAll("[data-alert-map]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
