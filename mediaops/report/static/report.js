// MediaOps review report: draws the timeline chart, shows the transcript under the pointer, plays clips.
// The clip buttons work as soon as the page is shown; the chart library is compiled after that (see html.py).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var chart = document.getElementById("chart");
  var caption = document.getElementById("transcript-now");
  var video = document.getElementById("clip-player");
  var playerBox = document.getElementById("clip-box");
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
    // one player for every ▶: bring it into view when the button that started it is far from it
    var box = playerBox.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) { playerBox.scrollIntoView({block: "center"}); }
    var started = video.play();
    if (started && started.catch) {
      started.catch(function () { videoTitle.textContent += "  (" + data.labels.play + " ▶)"; });
    }
  }
  window.mediaopsPlayClip = playClip;

  Array.prototype.forEach.call(document.querySelectorAll("[data-play]"), function (button) {
    button.addEventListener("click", function () { playClip(Number(button.getAttribute("data-play"))); });
  });

  // the chart's time axis is a date axis starting at the epoch: hover events give "1970-01-01 00:07:15"
  function seconds(x) {
    if (typeof x === "number") { return x / 1000; }
    return Date.parse(String(x).replace(" ", "T") + "Z") / 1000;
  }

  function drawChart() {
    chart.textContent = "";
    Plotly.newPlot(chart, data.figure.data, data.figure.layout,
                   {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]});
    chart.on("plotly_hover", function (event) {
      if (event.points && event.points.length) { showTranscript(seconds(event.points[0].x)); }
    });
    chart.on("plotly_click", function (event) {
      var point = (event.points || []).filter(function (p) { return p.data.meta === "clips"; })[0];
      if (point && point.customdata) { playClip(point.customdata[0]); }
    });
    document.body.setAttribute("data-ready", "1");
  }

  // Plotly.js arrives as inert text: compiling it takes seconds, so it runs after the first paint
  function loadChart() {
    var library = document.getElementById("chart-library");
    if (window.Plotly || !library) { drawChart(); return; }
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        (0, eval)(library.textContent);  // global scope: the bundle sets window.Plotly
        library.parentNode.removeChild(library);
        drawChart();
      }, 0);
    });
  }
  document.body.setAttribute("data-shown", "1");
  if (document.readyState === "complete") { loadChart(); } else { window.addEventListener("load", loadChart); }
})();
