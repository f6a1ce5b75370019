/*
 * What every GridGov map shares (load after Leaflet, before the page's own map script):
 *
 *   GridGov.readJson(id, fallback)  the JSON of a <script type="application/json" id="…"> (json_script)
 *   GridGov.baseMap(container, config, options, plainClass)
 *       a Leaflet map with the site's tiles when configured (config.tileUrl, e.g. the city's own GIS server),
 *       else a plain background (plainClass on the container): nothing is fetched from the internet by default.
 */
(function () {
  "use strict";

  var GridGov = (window.GridGov = window.GridGov || {});

  GridGov.readJson = function (id, fallback) {
    var node = id ? document.getElementById(id) : null;
    if (!node) return fallback;
    try {
      var value = JSON.parse(node.textContent || "null");
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  };

  GridGov.baseMap = function (container, config, options, plainClass) {
    var settings = {
      center: Array.isArray(config.center) ? config.center : [0, 0],
      zoom: typeof config.zoom === "number" ? config.zoom : 10,
      zoomSnap: 0.25,
    };
    Object.keys(options || {}).forEach(function (key) {
      settings[key] = options[key];
    });
    var map = L.map(container, settings);
    // No flag, no tracking: the prefix is a plain credit to the library.
    map.attributionControl.setPrefix("Leaflet");
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      container.classList.add(plainClass);
    }
    return map;
  };
})();
