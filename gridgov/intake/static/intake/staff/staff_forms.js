/*
 * GridGov staff intake forms (patrol report, hotline entry). The forms work without this file: they are plain
 * POST forms. With it:
 *
 * - the triage suggestion: while the text (and the address) is typed, ask the suggest endpoint (debounced) and
 *   pre-select the top category and the request type unless the person already chose; show the top three,
 *   urgency and the place found. Everything from the server is written as text, never as HTML;
 * - the patrol form's "Locate" button fills the hidden lat/lon from navigator.geolocation (WGS-84);
 * - "Resolved on the spot" shows or hides the result part;
 * - the hotline form: Enter in a one-line field moves to the next field, Ctrl/Cmd+Enter saves.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return {};
    try {
      return JSON.parse(node.textContent || "{}");
    } catch (error) {
      return {};
    }
  }

  /* A select or checkbox the person set stays as they set it; one the suggestion set follows the suggestion. */
  function trackChoice(control) {
    if (!control) return;
    control.dataset.userChose = control.type === "checkbox" ? (control.checked ? "1" : "") : control.value ? "1" : "";
    control.addEventListener("change", function (event) {
      if (event.isTrusted) control.dataset.userChose = "1";
    });
  }

  function suggestSelect(select, value) {
    if (!select || select.dataset.userChose || !value) return;
    var found = Array.prototype.some.call(select.options, function (option) {
      return option.value === value;
    });
    if (found && select.value !== value) {
      select.value = value;
      select.dataset.suggested = value;
    }
  }

  function setupSuggest(form) {
    var url = form.dataset.suggestUrl;
    var text = form.querySelector("[data-suggest-text]");
    if (!url || !text) return;
    var address = form.querySelector("[data-suggest-address]");
    var category = form.querySelector("[data-suggest-category]");
    var requestType = form.querySelector("[data-suggest-request-type]");
    var urgent = form.querySelector("[data-suggest-urgent]");
    var box = form.querySelector("[data-suggest-box]");
    var scores = form.querySelector("[data-suggest-scores]");
    var urgentLine = form.querySelector("[data-suggest-urgent-line]");
    var cues = form.querySelector("[data-suggest-cues]");
    var place = form.querySelector("[data-suggest-place]");
    var busy = form.querySelector("[data-suggest-busy]");
    var status = form.querySelector("[data-suggest-status]");
    var cueLabels = readJson("suggest-cue-labels");
    [category, requestType, urgent].forEach(trackChoice);

    var timer = null;
    var sequence = 0;
    var controller = null;

    function render(data) {
      var hasScores = data.scores && data.scores.length;
      scores.textContent = "";
      (data.scores || []).forEach(function (row) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = String(row[1]);
        var bar = document.createElement("span");
        bar.className = "triage-scores__bar";
        bar.style.setProperty("--p", String(Math.max(0, Math.min(1, Number(row[2]) || 0))));
        bar.setAttribute("aria-hidden", "true");
        var p = document.createElement("span");
        p.className = "triage-scores__p";
        p.textContent = Math.round((Number(row[2]) || 0) * 100) + "%";
        item.appendChild(name);
        item.appendChild(bar);
        item.appendChild(p);
        item.dataset.code = String(row[0]);
        scores.appendChild(item);
      });
      if (urgentLine) {
        urgentLine.hidden = !data.urgent;
        cues.textContent = (data.urgent_cues || [])
          .map(function (cue) {
            return cueLabels[cue] || cue;
          })
          .join("、");
      }
      var placeShown = false;
      if (place) {
        if (data.place) {
          place.textContent = (form.dataset.labelPlace || "") + ": " + data.place.name;
          placeShown = true;
        } else if (form.dataset.labelNoPlace && address && address.value.trim()) {
          place.textContent = form.dataset.labelNoPlace;
          placeShown = true;
        } else {
          place.textContent = "";
        }
        place.hidden = !placeShown;
      }
      box.hidden = !(hasScores || placeShown || data.urgent);
      if (hasScores) suggestSelect(category, String(data.scores[0][0]));
      suggestSelect(requestType, data.request_type);
      if (urgent && !urgent.dataset.userChose) urgent.checked = !!data.urgent;
      if (status) status.textContent = form.dataset.labelUpdated || "";
    }

    function ask() {
      var query = new URLSearchParams();
      query.set("text", text.value);
      if (address) query.set("address", address.value);
      var mine = ++sequence;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      if (busy) busy.classList.add("htmx-request");
      fetch(url + "?" + query.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("suggest " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine === sequence) render(data);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (mine === sequence && status) status.textContent = form.dataset.labelFailed || "";
        })
        .finally(function () {
          if (mine === sequence && busy) busy.classList.remove("htmx-request");
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    }

    text.addEventListener("input", later);
    if (address) address.addEventListener("input", later);
    if (text.value.trim() || (address && address.value.trim())) ask();
  }

  function setupLocate(form) {
    var fieldset = form.querySelector("[data-location]");
    if (!fieldset) return;
    var button = fieldset.querySelector("[data-locate]");
    var clear = fieldset.querySelector("[data-locate-clear]");
    var status = fieldset.querySelector("[data-locate-status]");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var labels = fieldset.dataset;
    button.hidden = false;
    if (!("geolocation" in navigator)) {
      button.disabled = true;
      status.textContent = labels.labelUnsupported || "";
      return;
    }
    function showClear() {
      clear.hidden = !(lat.value && lon.value);
    }
    if (lat.value && lon.value) status.textContent = labels.labelKept || "";
    showClear();
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = labels.labelLocating || "";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // Browsers give WGS-84; the server converts nothing.
          lat.value = position.coords.latitude.toFixed(6);
          lon.value = position.coords.longitude.toFixed(6);
          var accuracy = Math.round(position.coords.accuracy || 0);
          status.textContent =
            (labels.labelLocated || "") +
            (accuracy ? " (" + (labels.labelAccuracy || "").replace("{metres}", String(accuracy)) + ")" : "");
          button.disabled = false;
          showClear();
        },
        function (error) {
          status.textContent =
            error && error.code === 1 ? labels.labelDenied || "" : labels.labelFailed || "";
          button.disabled = false;
          showClear();
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      status.textContent = labels.labelCleared || "";
      showClear();
    });
  }

  function setupResolved(form) {
    var toggle = form.querySelector("[data-resolved-toggle]");
    var part = form.querySelector("[data-resolved-part]");
    if (!toggle || !part) return;
    function sync() {
      part.hidden = !toggle.checked;
      toggle.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
    }
    toggle.addEventListener("change", sync);
    // Keep the result visible when it has an error, even if the box was unticked.
    if (!part.querySelector(".form-field--invalid")) sync();
  }

  function setupKeys(form) {
    if (!form.hasAttribute("data-hotline-keys")) return;
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return; // IME composing: not ours
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
        return;
      }
      var target = event.target;
      if (!(target instanceof HTMLInputElement) || target.type === "checkbox" || target.type === "submit") return;
      var fields = Array.prototype.filter.call(form.elements, function (element) {
        return !element.disabled && element.type !== "hidden" && !element.hidden && element.tabIndex >= 0;
      });
      var next = fields[fields.indexOf(target) + 1];
      if (next && next.type !== "submit") {
        event.preventDefault();
        next.focus();
      }
    });
  }

  function setupSubmitting(form) {
    var button = form.querySelector("[data-submit]");
    var note = form.querySelector("[data-submitting]");
    form.addEventListener("submit", function () {
      // Disabled after this tick so that the button's own value still goes with the form.
      window.setTimeout(function () {
        if (button) button.disabled = true;
        if (note) note.hidden = false;
      }, 0);
    });
    // Back to the page from the browser's cache: enable again.
    window.addEventListener("pageshow", function () {
      if (button) button.disabled = false;
      if (note) note.hidden = true;
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-staff-intake]"), function (form) {
      setupSuggest(form);
      setupLocate(form);
      setupResolved(form);
      setupKeys(form);
      setupSubmitting(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
