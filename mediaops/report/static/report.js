// MediaOps review report: draws the timeline chart, shows the transcript under the pointer, plays clips.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var chart = document.getElementById("chart");
  var caption = document.getElementById("transcript-now");
  var video = document.getElementById("clip-player");
  var videoTitle = document.getElementById("clip-title");
  var segments = data.transcript;

  function clock(t) {
    var s = Math.max(0, Math.round(t));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function segmentAt(t) {
    var lo = 0, hi = segments.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (segments[mid][0] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t <= segments[found][1] + 2 ? segments[found] : null;
  }

  function showTranscript(t) {
    var seg = segmentAt(t);
    caption.textContent = clock(t) + "  " + (seg ? seg[2] : "…");
  }

  function playClip(index) {
    var clip = data.clips[index];
    if (!clip) { return; }
    videoTitle.textContent = clip.id + "  " + clock(clip.start_s) + "–" + clock(clip.end_s) +
      (clip.title ? "  " + clip.title : "");
    video.hidden = false;
    video.src = clip.file;
    video.setAttribute("data-clip", clip.id);
    var started = video.play();
    if (started && started.catch) {
      started.catch(function () { videoTitle.textContent += "  (" + data.labels.play + " ▶)"; });
    }
  }
  window.mediaopsPlayClip = playClip;

  Plotly.newPlot(chart, data.figure.data, data.figure.layout,
                 {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]});
  // the chart's time axis is a date axis starting at the epoch: hover events give "1970-01-01 00:07:15"
  function seconds(x) {
    if (typeof x === "number") { return x / 1000; }
    return Date.parse(String(x).replace(" ", "T") + "Z") / 1000;
  }
  chart.on("plotly_hover", function (event) {
    if (event.points && event.points.length) { showTranscript(seconds(event.points[0].x)); }
  });
  chart.on("plotly_click", function (event) {
    var point = (event.points || []).filter(function (p) { return p.data.meta === "clips"; })[0];
    if (point && point.customdata) { playClip(point.customdata[0]); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-play]"), function (button) {
    button.addEventListener("click", function () { playClip(Number(button.getAttribute("data-play"))); });
  });
  document.body.setAttribute("data-ready", "1");
})();
