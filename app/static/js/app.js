// Progressive enhancements only: every flow works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Live preview of section Markdown, rendered and sanitised by the server.
  var form = document.querySelector("form[data-preview-url]");
  var panel = document.querySelector("[data-live-preview]");
  if (!form || !panel) { return; }
  var body = form.querySelector("textarea[name=body]");
  var token = form.querySelector("input[name=csrf_token]");
  var target = panel.querySelector(".pw-preview-body");
  var timer = null;

  function refresh() {
    var data = new FormData();
    data.append("body", body.value);
    var headers = token ? { "X-CSRFToken": token.value } : {};
    fetch(form.getAttribute("data-preview-url"), { method: "POST", body: data, headers: headers, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { target.innerHTML = html; panel.hidden = false; })
      .catch(function () { /* the Preview button still works */ });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  });
  refresh();
})();
