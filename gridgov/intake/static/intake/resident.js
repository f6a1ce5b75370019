/*
 * GridGov resident report page (/r/): the map pin, "use my location", the "already reported?" list, the photo
 * count and a submit button that cannot be tapped twice. The form works without any of this.
 *
 * Everything comes from the page:
 *   <script type="application/json" id="map-config">  {tileUrl, tileAttribution, center, zoom}
 *   [data-report-map]   data-grids-url (GeoJSON of the grids), data-label-* (translated strings)
 *   [data-nearby]       data-url (GET ?lat=&lon=&text=&category= → {results: [...]}), data-label-*
 *   input[name=lat|lon] the pin, WGS-84 (browsers' geolocation and our boundaries are WGS-84)
 * After loading the map carries data-state="ready" (or "error") and data-pin="inside|outside|none".
 *
 * Plain ES2020, no modules, no bundler; Leaflet (window.L) is loaded first. User text is only ever set with
 * textContent, never as HTML.
 */
(function () {
  "use strict";

  var GRID_STYLE = { color: "#2f6f9f", weight: 1.5, opacity: 0.9, fillColor: "#5b9bd5", fillOpacity: 0.1 };
  var GRID_CHOSEN = { color: "#b4451f", weight: 3, fillColor: "#e8833a", fillOpacity: 0.25 };
  // Not interactive: a tap on the pin reaches the map and moves the pin there.
  var PIN_STYLE = { radius: 11, color: "#ffffff", weight: 3, fillColor: "#b3261e", fillOpacity: 1, interactive: false };

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function readJson(id) {
    return window.GridGov.readJson(id, {});
  }

  // --- Point in polygon (GeoJSON rings are [lon, lat]) ----------------------------------------------------
  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(lon, lat, rings) {
    if (!rings.length || !inRing(lon, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(lon, lat, rings[k])) return false;
    return true;
  }

  function containsPoint(geometry, lon, lat) {
    if (!geometry) return false;
    if (geometry.type === "Polygon") return inPolygon(lon, lat, geometry.coordinates);
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (polygon) { return inPolygon(lon, lat, polygon); });
    }
    return false;
  }

  // --- The map and the pin ------------------------------------------------------------------------------------
  function initMap(form, container, onPinChange) {
    var latInput = form.querySelector("input[name=lat]");
    var lonInput = form.querySelector("input[name=lon]");
    var status = form.querySelector("[data-map-status]");
    var actions = form.querySelector("[data-map-actions]");
    var labels = container.dataset;
    var config = readJson(container.dataset.configId || "map-config");
    var features = [];
    var gridLayers = null;
    var chosen = null;
    var pin = null;

    function say(text) {
      if (status) status.textContent = text || "";
    }

    var map = window.GridGov.baseMap(container, config, { tap: true }, "r-map--plain");

    function gridAt(lat, lon) {
      for (var i = 0; i < features.length; i++) {
        if (containsPoint(features[i].geometry, lon, lat)) return features[i];
      }
      return null;
    }

    function highlight(feature) {
      if (!gridLayers) return;
      gridLayers.eachLayer(function (layer) {
        layer.setStyle(layer.feature === feature ? GRID_CHOSEN : GRID_STYLE);
      });
      chosen = feature;
    }

    function setPin(lat, lon, options) {
      lat = Math.round(lat * 1e6) / 1e6;
      lon = Math.round(lon * 1e6) / 1e6;
      latInput.value = String(lat);
      lonInput.value = String(lon);
      if (pin) pin.setLatLng([lat, lon]);
      else pin = L.circleMarker([lat, lon], PIN_STYLE).addTo(map);
      if (options && options.zoom) map.setView([lat, lon], Math.max(map.getZoom(), 16));
      describePin();
      if (!(options && options.quiet)) onPinChange();
    }

    function describePin() {
      if (!latInput.value || !lonInput.value) {
        container.dataset.pin = "none";
        highlight(null);
        say(labels.labelNoPin);
        return;
      }
      if (!features.length) return; // described once the grids have loaded
      var grid = gridAt(parseFloat(latInput.value), parseFloat(lonInput.value));
      highlight(grid);
      container.dataset.pin = grid ? "inside" : "outside";
      say(grid ? format(labels.labelPinIn, { grid: (grid.properties || {}).name || "" }) : labels.labelPinOut);
    }

    function clearPin() {
      latInput.value = "";
      lonInput.value = "";
      if (pin) {
        map.removeLayer(pin);
        pin = null;
      }
      describePin();
      onPinChange();
    }

    map.on("click", function (event) {
      setPin(event.latlng.lat, event.latlng.lng);
    });

    if (actions) {
      actions.hidden = false;
      var locate = actions.querySelector("[data-use-location]");
      var clear = actions.querySelector("[data-clear-pin]");
      if (clear) clear.addEventListener("click", clearPin);
      if (locate) {
        locate.addEventListener("click", function () {
          if (!("geolocation" in navigator)) {
            say(labels.labelLocationUnsupported);
            return;
          }
          say(labels.labelLocating);
          locate.disabled = true;
          navigator.geolocation.getCurrentPosition(
            function (position) {
              locate.disabled = false;
              setPin(position.coords.latitude, position.coords.longitude, { zoom: true });
            },
            function (error) {
              locate.disabled = false;
              say(error && error.code === 1 ? labels.labelLocationDenied : labels.labelLocationFailed);
            },
            { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
          );
        });
      }
    }

    container.dataset.state = "loading";
    say(labels.labelLoading);
    fetch(container.dataset.gridsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        features = data && Array.isArray(data.features) ? data.features : [];
        // Not interactive: a tap inside a grid reaches the map, which places the pin.
        gridLayers = L.geoJSON(data, { style: GRID_STYLE, interactive: false }).addTo(map);
        var bounds = gridLayers.getBounds();
        if (latInput.value && lonInput.value) {
          setPin(parseFloat(latInput.value), parseFloat(lonInput.value), { quiet: true });
          map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 15, { animate: false });
        } else if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [12, 12], animate: false });
        }
        container.dataset.gridCount = String(features.length);
        container.dataset.state = "ready";
        describePin();
      })
      .catch(function (error) {
        container.dataset.state = "error";
        say(labels.labelLoadFailed);
        if (window.console) window.console.error("report map:", error);
      });

    if (latInput.value && lonInput.value) {
      setPin(parseFloat(latInput.value), parseFloat(lonInput.value), { quiet: true });
    } else {
      describePin();
    }
    return { hasPin: function () { return Boolean(latInput.value && lonInput.value); }, chosen: function () { return chosen; } };
  }

  // --- Already reported? -------------------------------------------------------------------------------------
  function initNearby(form, box) {
    var labels = box.dataset;
    var timer = null;
    var controller = null;
    var lastQuery = "";

    function render(results) {
      box.textContent = "";
      if (!results.length) {
        box.hidden = true;
        return;
      }
      var title = document.createElement("h2");
      title.textContent = labels.labelTitle;
      var intro = document.createElement("p");
      intro.className = "r-help";
      intro.textContent = labels.labelIntro;
      var list = document.createElement("ul");
      results.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-nearby-case", "");
        var name = document.createElement("p");
        name.className = "r-nearby__title";
        name.textContent = item.title;
        var meta = document.createElement("p");
        meta.className = "r-nearby__meta";
        meta.textContent = [
          item.status_label,
          format(labels.labelReported, { date: item.reported_on }),
          format(labels.labelDistance, { distance: item.distance_m }),
          item.reports > 1 ? format(labels.labelReports, { count: item.reports }) : labels.labelReportsOne,
        ].join(" · ");
        var follow = document.createElement("a");
        follow.className = "r-button r-button--secondary";
        follow.href = item.follow_url;
        follow.target = "_blank";
        follow.rel = "noopener";
        follow.textContent = labels.labelFollow;
        li.appendChild(name);
        li.appendChild(meta);
        li.appendChild(follow);
        list.appendChild(li);
      });
      box.appendChild(title);
      box.appendChild(intro);
      box.appendChild(list);
      box.hidden = false;
    }

    function ask() {
      var lat = form.querySelector("input[name=lat]").value;
      var lon = form.querySelector("input[name=lon]").value;
      var text = (form.querySelector("[name=text]").value || "").trim();
      var categoryField = form.querySelector("[name=category]");
      var category = categoryField ? categoryField.value : "";
      if (!lat || !lon || (text.length < 4 && !category)) {
        render([]);
        return;
      }
      var query = new URLSearchParams({ lat: lat, lon: lon, text: text.slice(0, 500), category: category }).toString();
      if (query === lastQuery) return;
      lastQuery = query;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(box.dataset.url + "?" + query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          render(Array.isArray(data.results) ? data.results : []);
          box.dataset.state = "ready";
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          lastQuery = "";
          render([]); // a failed look-up must not stop anyone from reporting
        });
    }

    function soon() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(ask, 600);
    }

    form.querySelector("[name=text]").addEventListener("input", soon);
    var categoryField = form.querySelector("[name=category]");
    if (categoryField) categoryField.addEventListener("change", soon);
    return { refresh: soon };
  }

  // --- Photos and submit -----------------------------------------------------------------------------------------
  function initPhotos(form) {
    var input = form.querySelector("input[type=file][name=photos]");
    var note = form.querySelector("[data-photo-count]");
    var max = parseInt(form.dataset.maxPhotos || "9", 10);
    if (!input || !note) return;
    input.addEventListener("change", function () {
      var count = input.files ? input.files.length : 0;
      if (count > max) {
        note.textContent = format(note.dataset.labelTooMany, { max: max });
        input.setCustomValidity(note.textContent);
      } else {
        note.textContent = count ? format(note.dataset.labelCount, { count: count }) : "";
        input.setCustomValidity("");
      }
    });
  }

  function initSubmit(form) {
    var button = form.querySelector("[data-submit]");
    if (!button) return;
    form.addEventListener("submit", function () {
      // The form's nonce makes a second submission harmless; this only spares the resident the wait.
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.dataset.labelSending || button.textContent;
      }, 0);
    });
  }

  function start() {
    var form = document.querySelector("[data-report-form]");
    if (!form) return;
    var box = form.querySelector("[data-nearby]");
    var nearby = box ? initNearby(form, box) : { refresh: function () {} };
    var container = form.querySelector("[data-report-map]");
    if (container && typeof L !== "undefined") initMap(form, container, nearby.refresh);
    initPhotos(form);
    initSubmit(form);
    nearby.refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
