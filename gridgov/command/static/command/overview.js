/*
 * Command center overview screen (指挥中心"一张图") and topic screens: the map of grids and open cases, the feed of
 * new cases and the headline numbers, kept up to date without reloading the page.
 *
 * Everything comes from the page (command/overview.html), nothing is hard-coded here:
 *   <div data-overview data-feed-url data-numbers-url data-feed-poll-ms data-refresh-ms data-label-*>
 *     <dd data-number="open">…             headline numbers, refreshed from data-numbers-url
 *     <ol data-feed data-last-id="N">      the feed; new cases come from data-feed-url?after=N
 *     <div data-command-map …>             the map (see initMap for its data attributes)
 * The map draws the area's grids coloured by their worst open case (overdue / urgent / due soon / on time), the
 * outlines of the areas one level down, and, for the visible box, either the cases themselves or counts per
 * grid or map cell (the server decides: few cases → points, many → counts). Clicking a grid goes down one level.
 * After loading, the map container carries data-state="ready" (or "error"), data-grid-count, data-layer-mode
 * ("points", "grids" or "cells") and data-layer-total.
 *
 * Plain ES2020, no modules; needs Leaflet (window.L) and core/map_base.js (GridGov.baseMap, GridGov.readJson).
 */
(function () {
  "use strict";

  var PALETTE = { red: "#c62828", urgent: "#7b1fa2", yellow: "#e0a100", normal: "#2e7d32" };
  var COLOURS = ["red", "urgent", "yellow", "normal"];
  var GRID_LINE = "#2f6f9f";
  var FEED_MAX = 50;

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

  function getJson(url, signal) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json, application/geo+json" },
      signal: signal,
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function withParams(url, params) {
    var query = Object.keys(params)
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
      })
      .join("&");
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + query;
  }

  function timeText() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // Run ``work`` (which returns a promise) every ``ms``, never two at once; skipped while the tab is hidden.
  function every(ms, work) {
    if (!(ms > 0)) return;
    function tick() {
      var next = function () {
        window.setTimeout(tick, ms);
      };
      if (document.hidden) return next();
      Promise.resolve()
        .then(work)
        .catch(function () {})
        .then(next);
    }
    window.setTimeout(tick, ms);
  }

  // --- The map ---------------------------------------------------------------------------------------------------

  function readMapLabels(data) {
    return {
      colours: { red: data.labelRed, urgent: data.labelUrgent, yellow: data.labelYellow, normal: data.labelNormal },
      open: data.labelOpen || "",
      legendTitle: data.labelLegendTitle || "",
      openCase: data.labelOpenCase || "",
      zoomIn: data.labelZoomIn || "",
      drill: data.labelDrill || "",
      loading: data.labelLoading || "",
      points: data.labelPoints || "%(count)s",
      groups: data.labelGroups || "%(count)s / %(groups)s",
      noGrids: data.labelNoGrids || "",
      loadFailed: data.labelLoadFailed || "",
    };
  }

  function countsHtml(entry, labels) {
    var html = "<ul class=\"map-counts\">";
    COLOURS.forEach(function (colour) {
      var n = entry && entry.counts ? entry.counts[colour] || 0 : 0;
      if (!n) return;
      html +=
        '<li><span class="legend-swatch legend-swatch--' + colour + '" aria-hidden="true"></span>' +
        escapeHtml(labels.colours[colour]) + ": " + n + "</li>";
    });
    return html + "</ul>";
  }

  function gridStyle(entry, maxTotal) {
    var total = entry ? entry.total : 0;
    if (!total) {
      return { color: GRID_LINE, weight: 1, opacity: 0.8, fillColor: "#5b9bd5", fillOpacity: 0.04 };
    }
    var share = Math.sqrt(total / Math.max(1, maxTotal));
    return {
      color: GRID_LINE,
      weight: 1,
      opacity: 0.9,
      fillColor: PALETTE[entry.colour] || PALETTE.normal,
      fillOpacity: 0.15 + 0.4 * share,
    };
  }

  function addLegend(map, labels) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var html = '<p class="map-legend__title">' + escapeHtml(labels.legendTitle) + "</p><ul>";
      COLOURS.forEach(function (colour) {
        html +=
          '<li><span class="legend-swatch legend-swatch--' + colour + '" aria-hidden="true"></span>' +
          escapeHtml(labels.colours[colour]) + "</li>";
      });
      box.innerHTML = html + "</ul>";
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function initMap(container) {
    if (typeof L === "undefined" || !window.GridGov) return;
    var data = container.dataset;
    var labels = readMapLabels(data);
    var config = window.GridGov.readJson(data.configId || "map-config", {});
    var status = data.statusId ? document.getElementById(data.statusId) : null;

    function report(state, message) {
      if (state) container.dataset.state = state;
      if (status && message !== undefined) status.textContent = message;
    }

    var map = window.GridGov.baseMap(container, config, { preferCanvas: false }, "region-map--plain");
    map.createPane("grids").style.zIndex = "410";
    map.createPane("outlines").style.zIndex = "420";
    map.getPane("outlines").style.pointerEvents = "none";
    map.createPane("cases").style.zIndex = "450";
    addLegend(map, labels);
    report("loading", labels.loading);

    var counts = {};
    var gridLayer = null;
    var casesLayer = L.layerGroup().addTo(map);
    var pending = null;

    function drillUrl(code) {
      return String(data.drillTemplate || "").replace("__AREA__", encodeURIComponent(code));
    }

    function maxTotal() {
      var max = 0;
      Object.keys(counts).forEach(function (code) {
        max = Math.max(max, counts[code].total || 0);
      });
      return max;
    }

    function gridTooltip(props) {
      var entry = counts[props.code];
      var html = '<p class="grid-tooltip__name">' + escapeHtml(props.name) + "</p>";
      html += "<p>" + escapeHtml(labels.open) + ": " + (entry ? entry.total : 0) + "</p>" + countsHtml(entry, labels);
      if (entry && entry.child) html += '<p class="grid-tooltip__hint">' + escapeHtml(labels.drill) + "</p>";
      return html;
    }

    function restyle() {
      if (!gridLayer) return;
      var max = maxTotal();
      gridLayer.eachLayer(function (layer) {
        var props = layer.feature.properties || {};
        var entry = counts[props.code];
        layer.setStyle(gridStyle(entry, max));
        layer.setTooltipContent(gridTooltip(props));
        var path = layer.getElement && layer.getElement();
        if (path) {
          path.setAttribute("data-grid", props.code);
          path.setAttribute("data-colour", entry && entry.total ? entry.colour : "none");
        }
      });
    }

    function loadCounts() {
      return getJson(data.countsUrl).then(function (body) {
        counts = body.grids || {};
        restyle();
      });
    }

    function pointPopup(point) {
      return (
        '<div class="case-popup"><p class="case-popup__number"><a href="' + escapeHtml(point.url) +
        '" data-case-link="' + escapeHtml(point.number) + '">' + escapeHtml(point.number) + "</a></p>" +
        "<p>" + escapeHtml(point.category) + (point.category ? " · " : "") + escapeHtml(labels.colours[point.colour]) +
        (point.urgent && point.colour !== "urgent" ? " · " + escapeHtml(labels.colours.urgent) : "") + "</p>" +
        '<p><a href="' + escapeHtml(point.url) + '">' + escapeHtml(labels.openCase) + "</a></p></div>"
      );
    }

    function drawPoints(points) {
      points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], {
          pane: "cases",
          radius: point.urgent ? 8 : 6,
          color: point.urgent ? "#3d0052" : "#ffffff",
          weight: point.urgent ? 3 : 1.5,
          fillColor: PALETTE[point.colour] || PALETTE.normal,
          fillOpacity: 0.95,
          className: "case-point case-point--" + point.colour,
        });
        marker.bindPopup(pointPopup(point));
        marker.bindTooltip(escapeHtml(point.number + " " + (point.category || "")), { direction: "top" });
        marker.addTo(casesLayer);
        var path = marker.getElement && marker.getElement();
        if (path) {
          path.setAttribute("data-case", point.number);
          path.setAttribute("data-colour", point.colour);
        }
      });
    }

    function drawGroups(groups) {
      groups.forEach(function (group) {
        var size = Math.round(26 + 10 * Math.log10(Math.max(1, group.total)));
        var title = (group.name ? group.name + " · " : "") + labels.open + ": " + group.total;
        var marker = L.marker([group.lat, group.lon], {
          pane: "cases",
          title: title,
          alt: title,
          keyboard: true,
          icon: L.divIcon({
            className: "case-group case-group--" + (group.colour || "normal"),
            html: '<span class="case-group__count">' + group.total + "</span>",
            iconSize: [size, size],
          }),
        });
        marker.bindTooltip(
          (group.name ? '<p class="grid-tooltip__name">' + escapeHtml(group.name) + "</p>" : "") +
            countsHtml(group, labels) + '<p class="grid-tooltip__hint">' + escapeHtml(labels.zoomIn) + "</p>",
          { direction: "top" }
        );
        marker.on("click keypress", function () {
          map.setView([group.lat, group.lon], Math.min(map.getZoom() + 2, map.getMaxZoom() || 19));
        });
        marker.addTo(casesLayer);
        var element = marker.getElement && marker.getElement();
        if (element) {
          element.setAttribute("data-group", group.key);
          element.setAttribute("data-total", String(group.total));
          element.setAttribute("data-colour", group.colour || "normal");
        }
      });
    }

    function loadLayer() {
      if (pending) pending.abort();
      var controller = window.AbortController ? new AbortController() : null;
      pending = controller;
      var bounds = map.getBounds();
      var clamp = function (value, low, high) {
        return Math.min(high, Math.max(low, value)).toFixed(6);
      };
      var bbox = [
        clamp(bounds.getWest(), -180, 179.999999),
        clamp(bounds.getSouth(), -90, 89.999999),
        clamp(bounds.getEast(), -179.999999, 180),
        clamp(bounds.getNorth(), -89.999999, 90),
      ].join(",");
      var url = withParams(data.layerUrl, { bbox: bbox, zoom: Math.max(0, Math.round(map.getZoom())) });
      return getJson(url, controller ? controller.signal : undefined).then(function (body) {
        if (pending !== controller) return;
        pending = null;
        casesLayer.clearLayers();
        if (body.mode === "points") drawPoints(body.points || []);
        else drawGroups(body.groups || []);
        container.dataset.layerMode = body.mode;
        container.dataset.layerTotal = String(body.total);
        report(
          "ready",
          body.mode === "points"
            ? format(labels.points, { count: body.total })
            : format(labels.groups, { count: body.total, groups: (body.groups || []).length })
        );
      });
    }

    var moveTimer = null;
    function onMove() {
      window.clearTimeout(moveTimer);
      moveTimer = window.setTimeout(function () {
        loadLayer().catch(function (error) {
          if (error && error.name === "AbortError") return;
          report(null, labels.loadFailed);
        });
      }, 250);
    }

    function onEachGrid(feature, layer) {
      var props = feature.properties || {};
      layer.bindTooltip("", { sticky: true, direction: "top", className: "grid-tooltip" });
      layer.on("click", function () {
        var entry = counts[props.code];
        if (entry && entry.child) window.location.assign(drillUrl(entry.child));
      });
    }

    var optional = function (url) {
      return url ? getJson(url).catch(function () { return null; }) : Promise.resolve(null);
    };

    Promise.all([getJson(data.gridsUrl), getJson(data.countsUrl), optional(data.outlineUrl), optional(data.childrenUrl)])
      .then(function (results) {
        counts = results[1].grids || {};
        gridLayer = L.geoJSON(results[0], {
          pane: "grids",
          style: { color: GRID_LINE, weight: 1 },
          onEachFeature: onEachGrid,
        }).addTo(map);
        var bounds = gridLayer.getBounds();
        [[results[3], { color: "#37474f", weight: 2.5, opacity: 0.9, fill: false }],
         [results[2], { color: "#1d1d1d", weight: 3.5, opacity: 0.9, fill: false, dashArray: "8 4" }]].forEach(
          function (outline) {
            if (!outline[0] || !outline[0].features || !outline[0].features.length) return;
            var layer = L.geoJSON(outline[0], { pane: "outlines", style: outline[1], interactive: false }).addTo(map);
            if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
          }
        );
        restyle();
        var count = results[0] && results[0].features ? results[0].features.length : 0;
        container.dataset.gridCount = String(count);
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], animate: false });
        if (!count) report(null, labels.noGrids);
        return loadLayer().then(function () {
          map.on("moveend", onMove);
          every(Number(data.refreshMs), function () {
            return Promise.all([loadCounts(), loadLayer()]);
          });
        });
      })
      .catch(function (error) {
        container.dataset.gridCount = container.dataset.gridCount || "0";
        report("error", labels.loadFailed);
        if (window.console) window.console.error("command map:", error);
      });
  }

  // --- The feed and the numbers ----------------------------------------------------------------------------------

  function feedItem(item, labels) {
    var li = document.createElement("li");
    li.className = "feed__item feed__item--" + item.colour + (item.urgent ? " feed__item--urgent" : "") + " feed__item--new";
    li.dataset.caseId = String(item.id);
    li.dataset.colour = item.colour;
    if (item.urgent) li.dataset.urgent = "";
    var link = document.createElement("a");
    link.className = "feed__link";
    link.href = item.url;
    var number = document.createElement("span");
    number.className = "feed__number";
    number.textContent = item.number;
    var title = document.createElement("span");
    title.className = "feed__title";
    title.textContent = item.title;
    link.append(number, " ", title);
    li.append(link);
    if (item.urgent) {
      var flag = document.createElement("strong");
      flag.className = "feed__flag";
      flag.textContent = labels.urgent;
      li.append(" ", flag);
    }
    var meta = document.createElement("span");
    meta.className = "feed__meta";
    var time = document.createElement("time");
    time.dateTime = item.reported_at;
    time.textContent = item.reported_at_text;
    meta.append(time);
    [item.category, item.place, item.status_label].forEach(function (part) {
      if (part) meta.append(" · " + part);
    });
    li.append(meta);
    return li;
  }

  function initFeed(root, labels) {
    var list = root.querySelector("[data-feed]");
    var status = root.querySelector("[data-feed-status]");
    var url = root.dataset.feedUrl;
    if (!list || !url) return;
    // Every id shown since the page loaded, also those pushed off the end of the list: a poll re-sends the recent
    // cases just below the last id (a report whose transaction committed late), and only new ones are added.
    var seen = {};
    list.querySelectorAll("[data-case-id]").forEach(function (node) {
      seen[node.dataset.caseId] = true;
    });

    function poll() {
      var after = Number(list.dataset.lastId || 0);
      return getJson(withParams(url, { after: after }))
        .then(function (body) {
          var items = body.items || [];
          var fresh = items.filter(function (item) {
            return !seen[String(item.id)];
          });
          fresh.forEach(function (item) {
            seen[String(item.id)] = true;
          });
          if (fresh.length) {
            var empty = list.querySelector("[data-feed-empty]");
            if (empty) empty.remove();
            // newest first: insert the oldest of the new ones first, each at the top
            fresh
              .slice()
              .reverse()
              .forEach(function (item) {
                list.insertBefore(feedItem(item, labels), list.firstChild);
              });
            while (list.children.length > FEED_MAX) list.removeChild(list.lastChild);
          }
          list.dataset.lastId = String(Math.max(after, Number(body.last_id) || 0));
          var urgent = fresh.filter(function (item) {
            return item.urgent;
          }).length;
          var message = format(labels.updated, { time: timeText() });
          if (fresh.length) message = format(labels.newCases, { count: fresh.length }) + " · " + message;
          if (urgent) message = format(labels.newUrgent, { count: urgent }) + " · " + message;
          if (status) status.textContent = message;
          root.dataset.feedPolls = String(Number(root.dataset.feedPolls || 0) + 1);
        })
        .catch(function (error) {
          if (status) status.textContent = labels.offline;
          throw error;
        });
    }

    every(Number(root.dataset.feedPollMs), poll);
  }

  function rateText(value, none) {
    return value === null || value === undefined ? none : (value * 100).toFixed(1) + "%";
  }

  function initNumbers(root, labels) {
    var url = root.dataset.numbersUrl;
    if (!url) return;
    every(Number(root.dataset.refreshMs), function () {
      return getJson(url).then(function (body) {
        var numbers = body.numbers || {};
        root.querySelectorAll("[data-number]").forEach(function (node) {
          var key = node.dataset.number;
          if (!(key in numbers)) return;
          node.textContent = node.hasAttribute("data-rate") ? rateText(numbers[key], labels.none) : String(numbers[key]);
        });
      });
    });
  }

  function initLargeScreen(root) {
    var clock = root.querySelector("[data-clock]");
    if (clock) {
      var show = function () {
        clock.textContent = timeText();
      };
      show();
      window.setInterval(show, 1000);
    }
    var button = root.querySelector("[data-fullscreen]");
    if (button && document.fullscreenEnabled) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen();
        else document.documentElement.requestFullscreen();
      });
    }
  }

  function start() {
    document.querySelectorAll("[data-overview]").forEach(function (root) {
      var data = root.dataset;
      var labels = {
        updated: data.labelUpdated || "%(time)s",
        offline: data.labelOffline || "",
        newCases: data.labelNewCases || "%(count)s",
        newUrgent: data.labelNewUrgent || "%(count)s",
        urgent: data.labelUrgent || "",
        none: data.labelNone || "—",
      };
      initFeed(root, labels);
      initNumbers(root, labels);
      initLargeScreen(root);
    });
    document.querySelectorAll("[data-command-map]").forEach(initMap);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
