// Streams list: while any stream is queued or running, refresh the list so statuses and bars move on their own.
(function () {
  "use strict";
  if (document.querySelector("tr[data-active='1']")) setTimeout(() => window.location.reload(), 5000);
})();
