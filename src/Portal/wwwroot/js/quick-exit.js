// Quick exit: leave for a neutral site and replace this page in the history, so the back button does not
// lead here. Without JavaScript the link still leaves (it is a plain link).
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
})();
