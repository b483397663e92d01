/* Compose-link page: refresh the price and the printed preview while the person edits.
   The page works without it: the Preview button posts the form and the server answers with the page. */
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) { return; }
  var price = document.getElementById("price"), problem = document.getElementById("price-error"),
      status = document.getElementById("preview-status"), timer = null, previewTimer = null, seq = 0, previewSeq = 0;
  function body() { return new URLSearchParams(new FormData(form)); }
  function refresh() {
    var mine = ++seq;
    fetch("/compose/price", {method: "POST", body: body(), credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== seq) { return; }
        if (data.error) { problem.textContent = data.error; problem.hidden = false; price.textContent = "–"; }
        else { problem.hidden = true; price.textContent = data.display; }
        price.setAttribute("data-cents", data.amountCents == null ? "" : String(data.amountCents));
      })
      .catch(function () { /* keep the last price; the server checks again on submit */ });
  }
  function refreshPreview() {
    var mine = ++previewSeq;
    if (status) { status.hidden = false; }
    fetch("/compose/preview", {method: "POST", body: body(), credentials: "same-origin",
                               headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== previewSeq || typeof data.html !== "string") { return; }
        var old = document.getElementById("preview-pages");
        if (old) { old.outerHTML = data.html; }
      })
      .catch(function () { /* keep the last preview */ })
      .then(function () { if (mine === previewSeq && status) { status.hidden = true; } });
  }
  function later() {
    clearTimeout(timer); timer = setTimeout(refresh, 250);
    clearTimeout(previewTimer); previewTimer = setTimeout(refreshPreview, 600);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", function () { refresh(); clearTimeout(previewTimer); refreshPreview(); });
})();
