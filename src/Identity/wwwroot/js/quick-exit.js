// Quick exit: leave for a neutral site (through /account/exit, which ends the sign-in session first) and
// replace this page in the history, so the back button does not lead here. Escape leaves too. Without
// JavaScript the link still leaves (it is a plain link).
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

  // A page restored from the back-forward cache would show again what was on screen: load it afresh instead.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
})();
