/* Progressive enhancement only: every page works without this file.
   Copy buttons: <button type="button" class="copy" data-copy="ELEMENT_ID" hidden>Copy</button>
   are revealed here and copy the text (or input value) of the element with that id. */
(function () {
  "use strict";
  function textOf(el) {
    return (el.value !== undefined && el.tagName !== "BUTTON") ? el.value : el.textContent;
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function announce(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = message; }
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target).trim();
      var done = function () { announce(button, "Copied."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {
          announce(button, fallbackCopy(text) ? "Copied." : "Select the text and copy it.");
        });
      } else {
        announce(button, fallbackCopy(text) ? "Copied." : "Select the text and copy it.");
      }
    });
  });
})();
