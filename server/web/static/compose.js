/* Compose-link page: refresh the price while the person edits (the page works without it). */
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) { return; }
  var price = document.getElementById("price"), problem = document.getElementById("price-error"),
      timer = null, seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch("/compose/price", {method: "POST", body: new URLSearchParams(new FormData(form)),
                             credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== seq) { return; }
        if (data.error) { problem.textContent = data.error; problem.hidden = false; price.textContent = "–"; }
        else { problem.hidden = true; price.textContent = data.display; }
        price.setAttribute("data-cents", data.amountCents == null ? "" : String(data.amountCents));
      })
      .catch(function () { /* keep the last price; the server checks again on submit */ });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  form.addEventListener("change", refresh);
})();
