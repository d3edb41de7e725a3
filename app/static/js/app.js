// Progressive enhancements only: every flow works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Warn two minutes before the idle timeout and let the user extend it (WCAG 2.2.1).
  var sessionMeta = document.querySelector("meta[name=pw-session]");
  if (sessionMeta) {
    var idleMs = parseInt(sessionMeta.getAttribute("data-idle-minutes"), 10) * 60000;
    var warning = document.querySelector("[data-timeout-warning]");
    var warnTimer = null;
    var schedule = function () {
      window.clearTimeout(warnTimer);
      warnTimer = window.setTimeout(function () {
        warning.hidden = false;
        warning.querySelector("button").focus();
      }, Math.max(idleMs - 120000, 1000));
    };
    warning.querySelector("[data-stay-signed-in]").addEventListener("click", function () {
      fetch(sessionMeta.getAttribute("data-keepalive-url"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": sessionMeta.getAttribute("data-csrf") }
      }).then(function (response) {
        if (response.ok) { warning.hidden = true; schedule(); }
      });
    });
    schedule();
  }

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
