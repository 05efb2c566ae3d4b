// Streams list: while any stream is queued or running, refresh the list so statuses and bars move on their own.
(function () {
  "use strict";
  // widths come from data-pct: the page's Content-Security-Policy allows no style attributes in the markup
  document.querySelectorAll("[data-pct]").forEach((bar) => { bar.style.width = Number(bar.dataset.pct) + "%"; });
  if (document.querySelector("tr[data-active='1']")) setTimeout(() => window.location.reload(), 5000);
})();
