// Quick exit: on a click or the Escape key, hide the page at once and replace it in the history with the exit, which
// ends the sessions and leads to a neutral site; the back button then does not lead to this page. Without JavaScript
// the link still does everything but the history replacement (it is a plain link).
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) {
    return;
  }

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      leave(event);
    }
  });

  // A page shown again from the back-forward cache is asked for afresh, so a signed-out session shows nothing.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
})();
