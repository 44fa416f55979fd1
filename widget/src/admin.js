// The back-office's only script, progressive: copy buttons next to snippets, links and secrets.
// Without it the texts stay selectable and every form works.
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var label = button.textContent;
    var timer;
    // The button says what happened, then its name again; polite, so that it is read out.
    function tell(text, ms) {
      button.textContent = text;
      clearTimeout(timer);
      timer = setTimeout(function () { button.textContent = label; }, ms);
    }
    function copied() { tell(button.getAttribute("data-done"), 2000); }
    // Copying by hand is left: the text is selected, the focus on it.
    function failed() {
      field.select();
      tell(button.getAttribute("data-failed"), 6000);
    }
    button.setAttribute("aria-live", "polite");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied, failed);
        return;
      }
      field.select();
      var done = document.execCommand("copy");
      button.focus();
      if (done) copied(); else failed();
    });
  });
})();
