// Stream page: live job progress (polling the JSON API), and the timeline chart under the player
// (engagement curves, scene cuts, clip spans, product pitches, sales spikes). Clicking seeks the player.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  // ---- live progress ------------------------------------------------------------------------------------
  const progress = document.getElementById("progress");
  // widths come from data-pct: the page's Content-Security-Policy allows no style attributes in the markup
  document.querySelectorAll("[data-pct]").forEach((bar) => { bar.style.width = Number(bar.dataset.pct) + "%"; });
  const stageList = document.getElementById("stages");
  const stageLabels = stageList ? JSON.parse(stageList.dataset.labels || "{}") : {};
  // first clips: each one appears as soon as it is rendered, before the job (and its report) is done
  const firstBox = document.getElementById("first-clips");
  async function showFirstClips() {
    if (!firstBox) return;
    const found = await (await fetch(progress.dataset.firstClipsUrl, { headers: { Accept: "application/json" } })).json();
    const gallery = document.getElementById("first-gallery");
    const notice = document.getElementById("first-clips-notice");
    (found.clips || []).forEach((clip) => {
      if (document.getElementById("first-" + clip.id)) return;
      const card = document.createElement("figure");
      card.className = "clip first-clip";
      card.id = "first-" + clip.id;
      const video = document.createElement("video");
      video.preload = "none";
      video.controls = true;
      video.src = clip.url;
      if (clip.cover_url) video.poster = clip.cover_url;
      const caption = document.createElement("figcaption");
      const head = document.createElement("div");
      head.className = "clip-title";
      const name = document.createElement("b");
      name.textContent = clip.title || clip.id;
      head.append(name);
      const actions = document.createElement("div");
      actions.className = "actions";
      const link = document.createElement("a");
      link.className = "btn small";
      link.href = clip.url;
      link.download = "";
      link.textContent = "⬇ " + notice.dataset.download;
      actions.append(link);
      caption.append(head, actions);
      card.append(video, caption);
      gallery.append(card);
    });
    if (gallery.children.length) { notice.textContent = notice.dataset.ready; firstBox.dataset.empty = "0"; }
  }
  if (progress && ["queued", "running"].includes(progress.dataset.status)) {
    const poll = async () => {
      try {
        const job = await (await fetch(progress.dataset.url, { headers: { Accept: "application/json" } })).json();
        const pct = Math.round(job.progress || 0);
        document.getElementById("job-progress").textContent = pct;
        document.getElementById("job-bar").style.width = pct + "%";
        const list = document.getElementById("stages");
        list.replaceChildren(...(job.stages || []).map((st) => {
          const li = document.createElement("li");
          li.className = st.status || "";
          const p = st.progress || 0;  // percent, like the job's
          const dot = document.createElement("span");
          dot.className = "dot";
          li.append(dot);
          li.append(stageLabels[st.name] || st.name);
          const sub = document.createElement("span");
          sub.className = "sub";
          sub.textContent = Math.round(p) + "%" + (st.seconds ? " · " + st.seconds.toFixed(1) + " s" : "");
          li.append(sub);
          return li;
        }));
        const badge = document.getElementById("job-status");
        const phases = JSON.parse(badge.dataset.labels || "{}");
        if (job.phase && phases[job.phase]) { badge.textContent = phases[job.phase]; badge.dataset.phase = job.phase; }
        // the job's error is the job system's English text: the page shows its reason after the reload below
        if (!["queued", "running"].includes(job.status)) { window.location.reload(); return; }
        await showFirstClips();
      } catch (e) { /* server busy or restarting: try again */ }
      setTimeout(poll, 1500);
    };
    setTimeout(poll, 1000);
  }

  // ---- the PDF report, made on its first download where the job did not write it (a job from before jobs wrote
  // it, or whose PDF failed): seconds of work, so the page shows that it is being made, then saves the file
  const pdfLink = document.getElementById("pdf-download");
  const pdfBox = document.getElementById("pdf-progress");
  if (pdfLink && pdfBox && pdfLink.dataset.build) {
    const pdfText = document.getElementById("pdf-progress-text");
    class PdfFailure extends Error {}  // the server's words in the page's language (a network error has none)
    pdfLink.addEventListener("click", async (event) => {
      if (!pdfLink.dataset.build) return;  // made by an earlier click: an ordinary download now
      event.preventDefault();
      if (pdfLink.dataset.busy) return;
      pdfLink.dataset.busy = "1";
      pdfLink.setAttribute("aria-disabled", "true");
      pdfBox.hidden = false;
      pdfBox.classList.remove("failed");
      const started = Date.now();
      const tick = () => {
        pdfText.textContent = pdfBox.dataset.building + " " + Math.round((Date.now() - started) / 1000) + " s";
      };
      tick();
      const timer = setInterval(tick, 1000);
      try {
        const response = await fetch(pdfLink.href);
        if (!response.ok) {
          let why = pdfBox.dataset.failed;
          try { why = (await response.json()).message || why; } catch (e) { /* not JSON: the general words */ }
          throw new PdfFailure(why);
        }
        const url = URL.createObjectURL(await response.blob());
        const save = document.createElement("a");
        save.href = url;
        save.download = pdfLink.getAttribute("download") || "report.pdf";
        document.body.append(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        delete pdfLink.dataset.build;
        pdfBox.hidden = true;
        const failed = document.getElementById("pdf-failed");
        if (failed) failed.hidden = true;
      } catch (e) {
        pdfBox.classList.add("failed");
        pdfText.textContent = e instanceof PdfFailure ? e.message : pdfBox.dataset.failed;
      } finally {
        clearInterval(timer);
        delete pdfLink.dataset.busy;
        pdfLink.removeAttribute("aria-disabled");
      }
    });
  }

  // ---- player and chart ---------------------------------------------------------------------------------
  const player = document.getElementById("player");
  const chart = document.getElementById("chart");
  function seek(t) {
    if (!player) return;
    player.currentTime = Math.max(0, t);
    player.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }
  document.querySelectorAll(".seek").forEach((b) => b.addEventListener("click", () => seek(Number(b.dataset.t))));
  if (!chart) return;
  const labels = JSON.parse(chart.dataset.labels || "{}");
  const CURVES = [
    ["online_viewers", "#2f6fed", true], ["comments", "#f08c2e", false], ["likes", "#e0457b", false],
    ["orders", "#1f9d63", false], ["gmv", "#8a5cf6", false],
  ];
  const clock = (s) => {
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
  };
  const el = (name, attrs, parent) => {
    const node = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (parent) parent.appendChild(node);
    return node;
  };
  const title = (node, text) => { el("title", {}, node).textContent = text; return node; };
  // a legend or tooltip row: a coloured mark and a text (built as nodes: no markup from data, no style attribute)
  const swatch = (color, text, markClass, markText) => {
    const row = document.createElement("span");
    const mark = document.createElement("i");
    if (color) mark.style.background = color;
    if (markClass) mark.className = markClass;
    if (markText) mark.textContent = markText;
    if (color || markClass) row.append(mark);
    row.append(text);
    return row;
  };

  let doc = null;
  let playhead = null;
  let xOf = null;

  function draw() {
    if (!doc) return;
    const W = Math.max(chart.clientWidth, 320);
    const H = 250, L = 22, R = 22, TOP = 52, BOTTOM = 24, plotH = H - TOP - BOTTOM;
    const duration = (doc.recording && doc.recording.duration_s) || 1;
    xOf = (t) => L + ((W - L - R) * t) / duration;
    const series = ((doc.metrics && doc.metrics.series) || []);
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "timeline" });
    el("rect", { x: L, y: TOP, width: W - L - R, height: plotH, class: "plot-bg" }, svg);

    // product pitches: a band on the top lane
    (doc.pitches || []).forEach((p) => {
      const g = title(el("g", { class: "pitch" }, svg), `${labels.pitches || "pitch"}: ${p.name} ${clock(p.start_s)}–${clock(p.end_s)}`);
      el("rect", { x: xOf(p.start_s), y: 4, width: Math.max(2, xOf(p.end_s) - xOf(p.start_s)), height: 18, rx: 4 }, g);
      const text = el("text", { x: xOf(p.start_s) + 5, y: 17 }, g);
      text.textContent = p.name;
    });
    // clip spans over the plot and their markers on the second lane
    (doc.clips || []).forEach((c) => {
      el("rect", { x: xOf(c.start_s), y: TOP, width: Math.max(2, xOf(c.end_s) - xOf(c.start_s)), height: plotH, class: "clip-span" }, svg);
      const g = title(el("g", { class: "clip-marker", "data-clip": c.id, "data-t": c.start_s, tabindex: 0, role: "button" }, svg),
        `${c.title || c.id} ${clock(c.start_s)}–${clock(c.end_s)}`);
      el("rect", { x: xOf(c.start_s), y: 26, width: Math.max(24, xOf(c.end_s) - xOf(c.start_s)), height: 20, rx: 4 }, g);
      el("text", { x: xOf(c.start_s) + 5, y: 40 }, g).textContent = "▶ " + c.id.replace("clip-", "#");
    });
    // scene cuts
    (doc.scenes || []).slice(1).forEach((s) => {
      title(el("line", { x1: xOf(s.start_s), x2: xOf(s.start_s), y1: TOP, y2: TOP + plotH, class: "scene-cut" }, svg),
        `${labels.scene_cuts || "scene cut"} ${clock(s.start_s)}`);
    });
    // engagement curves, each scaled to its own maximum
    CURVES.forEach(([name, color, area]) => {
      const s = series.find((x) => x.name === name);
      if (!s || !s.t_s.length) return;
      const max = Math.max(...s.values.filter((v) => v != null), 1e-9);
      const pts = s.t_s.map((t, i) => [xOf(t + (s.interval_s || 0) / 2), TOP + plotH - (plotH - 6) * ((s.values[i] || 0) / max)]);
      const d = pts.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1)).join("");
      if (area) el("path", { d: d + `L${pts[pts.length - 1][0]},${TOP + plotH}L${pts[0][0]},${TOP + plotH}Z`, fill: color, opacity: 0.12 }, svg);
      el("path", { d, fill: "none", stroke: color, "stroke-width": 2, class: "curve", "data-name": name }, svg);
    });
    // sales spikes
    (doc.sales_spikes || []).forEach((s) => {
      const x = xOf(s.t_s);
      const g = title(el("g", { class: "spike-marker", "data-t": s.t_s }, svg),
        `${labels.sales_spikes || "spike"} ${clock(s.t_s)} ${s.metric} ${s.value}` + (s.clip_id ? ` ← ${s.clip_id}` : ` (${labels.unattributed || "unattributed"})`));
      el("path", { d: `M${x - 7},${TOP + 2}L${x + 7},${TOP + 2}L${x},${TOP + 14}Z` }, g);
    });
    // time axis
    const step = [10, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => (duration / s) * 70 < W - L - R) || 3600;
    for (let t = 0; t <= duration; t += step) {
      el("line", { x1: xOf(t), x2: xOf(t), y1: TOP + plotH, y2: TOP + plotH + 4, class: "tick" }, svg);
      el("text", { x: xOf(t), y: H - 6, class: "tick-label", "text-anchor": "middle" }, svg).textContent = clock(t);
    }
    playhead = el("line", { x1: L, x2: L, y1: 24, y2: TOP + plotH, class: "playhead" }, svg);
    svg.addEventListener("click", (e) => {
      const marker = e.target.closest(".clip-marker, .spike-marker");
      if (marker) { seek(Number(marker.dataset.t)); return; }
      const box = svg.getBoundingClientRect();
      seek(((e.clientX - box.left - L) / (W - L - R)) * duration);
    });
    const tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.hidden = true;
    svg.addEventListener("mousemove", (e) => {
      const box = svg.getBoundingClientRect();
      const t = Math.min(duration, Math.max(0, ((e.clientX - box.left - L) / (W - L - R)) * duration));
      const head = document.createElement("b");
      head.textContent = clock(t);
      const rows = [head];
      CURVES.forEach(([name, color]) => {
        const s = series.find((x) => x.name === name);
        if (!s || !s.t_s.length) return;
        let i = s.t_s.findIndex((x) => x > t) - 1;
        if (i < 0) i = t >= s.t_s[s.t_s.length - 1] ? s.t_s.length - 1 : 0;
        const v = s.values[i];
        rows.push(swatch(color, `${labels[name] || name} ${v == null ? "—" : Math.round(v).toLocaleString()}`));
      });
      const pitch = (doc.pitches || []).find((p) => p.start_s <= t && t < p.end_s);
      if (pitch) rows.push(swatch(null, `${labels.pitches}: ${pitch.name}`));
      tip.replaceChildren(...rows);
      tip.hidden = false;
      const x = e.clientX - chart.getBoundingClientRect().left;
      tip.style.left = Math.min(x + 12, W - 190) + "px";
    });
    svg.addEventListener("mouseleave", () => { tip.hidden = true; });
    svg.addEventListener("keydown", (e) => {
      const marker = e.target.closest(".clip-marker");
      if (marker && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); seek(Number(marker.dataset.t)); }
    });
    chart.replaceChildren(svg, tip);
    movePlayhead();
  }

  function movePlayhead() {
    if (playhead && player && xOf) {
      const x = xOf(player.currentTime || 0);
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
    }
  }

  function legend() {
    const box = document.getElementById("chart-legend");
    const names = new Set(((doc.metrics && doc.metrics.series) || []).map((s) => s.name));
    const items = CURVES.filter(([n]) => names.has(n)).map(([n, c]) => swatch(c, labels[n] || n));
    items.push(swatch(null, labels.clips, "lg-clip"), swatch(null, labels.pitches, "lg-pitch"),
      swatch(null, labels.scene_cuts, "lg-cut"), swatch(null, labels.sales_spikes, "lg-spike", "▼"));
    box.replaceChildren(...items);
  }

  fetch(chart.dataset.url, { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((json) => { doc = json; draw(); legend(); chart.dataset.ready = "1"; });
  window.addEventListener("resize", draw);
  if (player) player.addEventListener("timeupdate", movePlayhead);
  if (player) player.addEventListener("seeked", movePlayhead);
})();
