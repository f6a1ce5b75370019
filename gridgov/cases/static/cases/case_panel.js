/*
 * GridGov case detail: say so when an action posted with htmx fails (htmx swaps nothing on a 403 or a network
 * error, which would otherwise leave the user with a silent button). The page works without this file: the
 * forms are plain POST forms that htmx enhances.
 *
 *   <p id="case-panel-status" data-label-forbidden="…" data-label-failed="…" role="status">
 */
(function () {
  "use strict";

  function report(event) {
    var status = document.getElementById("case-panel-status");
    if (!status) return;
    var xhr = event.detail && event.detail.xhr;
    var forbidden = xhr && xhr.status === 403;
    status.textContent = forbidden ? status.dataset.labelForbidden || "" : status.dataset.labelFailed || "";
    status.classList.add("case-panel-status--error");
    status.scrollIntoView({ block: "center" });
  }

  function clear() {
    var status = document.getElementById("case-panel-status");
    if (status) {
      status.textContent = "";
      status.classList.remove("case-panel-status--error");
    }
  }

  document.addEventListener("htmx:responseError", report);
  document.addEventListener("htmx:sendError", report);
  document.addEventListener("htmx:beforeRequest", clear);
})();
