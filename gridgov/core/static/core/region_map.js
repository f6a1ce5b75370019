/*
 * GridGov region map: grid boundaries (thin) with village/community and town/street boundaries (thicker) on a
 * plain background, or on the configured tile layer when one is set.
 *
 * Everything comes from the page, nothing is hard-coded here:
 *   <script type="application/json" id="map-config">   {tileUrl, tileAttribution, center, zoom}
 *   <div data-region-map
 *        data-config-id="map-config"          id of the map-config JSON
 *        data-grids-url="…"                   GeoJSON of the grids (required)
 *        data-villages-url="…"                GeoJSON of villages/communities (optional)
 *        data-towns-url="…"                   GeoJSON of towns/streets (optional)
 *        data-status-id="…"                   element that reports progress (role="status")
 *        data-label-*="…">                    the user-visible strings, translated by the template:
 *            label-grid, label-village, label-town, label-legend-title, label-code, label-loading,
 *            label-grids-shown ("%(count)s" is replaced), label-no-grids, label-load-failed
 * After loading, the container carries data-state="ready" (or "error") and data-grid-count="N".
 *
 * Plain ES2020, no modules, no bundler; needs Leaflet (window.L) loaded first.
 */
(function () {
  "use strict";

  var STYLES = {
    grid: { color: "#2f6f9f", weight: 1, opacity: 0.9, fillColor: "#5b9bd5", fillOpacity: 0.08 },
    gridHover: { weight: 2, fillOpacity: 0.25 },
    gridSelected: { color: "#b4451f", weight: 3, fillColor: "#e8833a", fillOpacity: 0.3 },
    village: { color: "#4a4a4a", weight: 2, opacity: 0.8, fill: false },
    town: { color: "#1d1d1d", weight: 3.5, opacity: 0.9, fill: false, dashArray: "8 4" },
  };

  function readJson(id) {
    return window.GridGov.readJson(id, {});
  }

  function readLabels(data) {
    return {
      grid: data.labelGrid || "",
      village: data.labelVillage || "",
      town: data.labelTown || "",
      legendTitle: data.labelLegendTitle || "",
      code: data.labelCode || "",
      loading: data.labelLoading || "",
      gridsShown: data.labelGridsShown || "%(count)s",
      noGrids: data.labelNoGrids || "",
      loadFailed: data.labelLoadFailed || "",
    };
  }

  // "%(name)s" placeholders, the same syntax Django's JavaScript catalog uses.
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

  function fetchGeoJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function featureCount(data) {
    return data && Array.isArray(data.features) ? data.features.length : 0;
  }

  function addLegend(map, labels) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var rows = [
        ["town", labels.town],
        ["village", labels.village],
        ["grid", labels.grid],
      ];
      var html = '<p class="map-legend__title">' + escapeHtml(labels.legendTitle) + "</p><ul>";
      rows.forEach(function (row) {
        html +=
          '<li><span class="map-legend__swatch map-legend__swatch--' + row[0] + '" aria-hidden="true"></span>' +
          escapeHtml(row[1]) + "</li>";
      });
      box.innerHTML = html + "</ul>";
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function popupHtml(props, labels) {
    return (
      '<div class="grid-popup"><p class="grid-popup__name">' + escapeHtml(props.name) + "</p>" +
      '<p class="grid-popup__code">' + escapeHtml(labels.code) + " <code>" + escapeHtml(props.code) + "</code></p></div>"
    );
  }

  function init(container) {
    if (typeof L === "undefined") return;
    var config = readJson(container.dataset.configId || "map-config");
    var labels = readLabels(container.dataset);
    var status = container.dataset.statusId ? document.getElementById(container.dataset.statusId) : null;

    function report(state, message) {
      container.dataset.state = state;
      if (status) status.textContent = message;
    }

    var map = window.GridGov.baseMap(container, config, { preferCanvas: false }, "region-map--plain");

    // Separate panes keep the stacking fixed whatever order the responses arrive in: the grids (which take
    // clicks) below, the thicker outlines (which do not) on top.
    map.createPane("grids").style.zIndex = "410";
    map.createPane("villages").style.zIndex = "420";
    map.createPane("towns").style.zIndex = "430";
    map.getPane("villages").style.pointerEvents = "none";
    map.getPane("towns").style.pointerEvents = "none";

    addLegend(map, labels);
    report("loading", labels.loading);

    var selected = null;
    function onEachGrid(feature, layer) {
      var props = feature.properties || {};
      layer.bindTooltip(escapeHtml(props.name), { sticky: true, direction: "top", className: "grid-tooltip" });
      layer.bindPopup(popupHtml(props, labels));
      layer.on("mouseover", function () {
        if (layer !== selected) layer.setStyle(STYLES.gridHover);
      });
      layer.on("mouseout", function () {
        if (layer !== selected) layer.setStyle(STYLES.grid);
      });
      layer.on("click", function () {
        if (selected && selected !== layer) selected.setStyle(STYLES.grid);
        selected = layer;
        layer.setStyle(STYLES.gridSelected);
        layer.closeTooltip();
      });
      layer.on("popupclose", function () {
        if (selected === layer) {
          selected = null;
          layer.setStyle(STYLES.grid);
        }
      });
    }

    var gridsUrl = container.dataset.gridsUrl;
    var optional = function (url) {
      // A missing outline layer is not worth failing the map for: draw what there is.
      return url ? fetchGeoJson(url).catch(function () { return null; }) : Promise.resolve(null);
    };

    Promise.all([fetchGeoJson(gridsUrl), optional(container.dataset.villagesUrl), optional(container.dataset.townsUrl)])
      .then(function (results) {
        var grids = L.geoJSON(results[0], { pane: "grids", style: STYLES.grid, onEachFeature: onEachGrid }).addTo(map);
        var bounds = grids.getBounds();
        // Outlines only: they take no clicks, so a click anywhere inside a grid reaches the grid.
        [[results[1], "villages", STYLES.village], [results[2], "towns", STYLES.town]].forEach(function (outline) {
          if (!outline[0]) return;
          var layer = L.geoJSON(outline[0], { pane: outline[1], style: outline[2], interactive: false }).addTo(map);
          if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
        });

        var count = featureCount(results[0]);
        container.dataset.gridCount = String(count);
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], animate: false });
        report("ready", count ? format(labels.gridsShown, { count: count }) : labels.noGrids);
      })
      .catch(function (error) {
        container.dataset.gridCount = "0";
        report("error", labels.loadFailed);
        if (window.console) window.console.error("region map:", error);
      });
  }

  function start() {
    document.querySelectorAll("[data-region-map]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
