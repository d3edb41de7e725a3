// Export status page: poll the export's status until it is ready or failed, then show the download link or
// reload for the reason. Without JavaScript the page offers a "reload" link instead.
(function () {
  "use strict";
  var box = document.getElementById("export-status");
  if (!box) { return; }
  var state = box.getAttribute("data-status");
  if (state === "ready" || state === "failed") { return; }
  var url = box.getAttribute("data-status-url");
  var text = document.getElementById("export-status-text");
  var link = document.getElementById("export-download");
  var reload = document.getElementById("export-reload");
  var delay = 1000;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        if (body.status === "ready" && link) {
          text.textContent = "Status: Ready. " + (body.pages ? body.pages + " pages." : "");
          link.hidden = false;
          if (reload) { reload.hidden = true; }
          link.focus();
          return;
        }
        if (body.status === "failed") { window.location.reload(); return; }
        text.textContent = body.status === "rendering"
          ? "Status: Rendering. Being laid out now; this usually takes a few seconds."
          : "Status: Queued. Waiting for a free renderer.";
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
