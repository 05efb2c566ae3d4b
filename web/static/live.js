// Live page: polls the live stream's state (JSON) and shows, as they come, the online-viewers curve (drawn like
// the stream page's timeline), the clips (playable, downloadable) and the alerts in plain words. Every text from
// the stream (clip titles, product names, comments) goes in as text nodes, never as markup.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const box = document.getElementById("live");
  if (!box) return;
  const labels = JSON.parse(box.dataset.labels || "{}");
  const ACTIVE = ["queued", "running"];
  const VIEWERS = "#2f6fed";
  const $ = (id) => document.getElementById(id);
  const clock = (s) => {
    s = Math.max(0, Math.round(Number(s) || 0));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  };
  const short = (s) => {  // tick labels: m:ss, or h:mm:ss past an hour
    s = Math.max(0, Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
  };
  const node = (tag, className, text) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text != null) el.textContent = text;
    return el;
  };
  const svgEl = (name, attrs, parent) => {
    const el = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => el.setAttribute(k, v));
    if (parent) parent.appendChild(el);
    return el;
  };

  let state = null;
  const shownClips = new Set();
  const shownAlerts = new Set();

  // ---- figures, badge, notices ----------------------------------------------------------------------------
  function head(st) {
    $("live-written").textContent = clock(st.written_s);
    $("live-clip-count").textContent = String((st.clips || []).length);
    $("live-alert-count").textContent = String((st.alerts || []).length);
    const values = ((st.viewers && st.viewers.values) || []).filter((v) => v != null);
    $("live-viewers-now").textContent = values.length ? Math.round(values[values.length - 1]).toLocaleString() : "—";
    const badge = $("live-stage");
    badge.textContent = st.stage_label;
    badge.className = "badge big " + st.status;
    badge.dataset.status = st.status;
    badge.dataset.stage = st.stage;
    const notice = $("live-notice");
    const words = { on_air: st.written_s > 0 ? "live_l_on_air" : "live_l_waiting", queued: "live_l_waiting",
      retrospective: "live_l_finishing", ended: "live_l_ended" }[st.stage];
    notice.hidden = !words;
    if (words) notice.textContent = labels[words];
    const reason = $("live-reason");
    reason.hidden = !st.reason;
    reason.textContent = st.reason || "";
    const warnings = $("live-warnings");
    const seen = new Set();
    warnings.replaceChildren(...(st.warnings || []).filter((w) => !seen.has(w.text) && seen.add(w.text))
      .map((w) => node("li", null, w.text)));
    warnings.hidden = !warnings.children.length || !ACTIVE.includes(st.status);
    const report = $("live-report");
    if (st.links && st.links.report) { report.href = st.links.report; report.hidden = false; }
    const cancel = $("live-cancel-form");
    if (cancel && !ACTIVE.includes(st.status)) cancel.hidden = true;
  }

  // ---- clips ----------------------------------------------------------------------------------------------
  function clips(st) {
    const gallery = $("live-clips");
    (st.clips || []).forEach((clip, i) => {
      if (shownClips.has(clip.id)) return;
      shownClips.add(clip.id);
      const card = node("figure", "clip live-clip");
      card.dataset.clip = clip.id;
      const video = document.createElement("video");
      video.preload = "none";
      video.controls = true;
      video.src = clip.url;
      if (clip.cover_url) video.poster = clip.cover_url;
      const caption = node("figcaption");
      const title = node("div", "clip-title");
      title.append(node("b", null, clip.title || labels.live_l_clip_n.replace("{n}", String(i + 1))),
        node("span", "sub", `${clock(clip.start_s)}–${clock(clip.end_s)} · ${Number(clip.duration_s).toFixed(1)} ${labels.live_l_seconds}`));
      const reasons = node("ul", "reasons");
      (clip.reasons || []).forEach((r) => reasons.append(node("li", null, r)));
      const actions = node("div", "actions");
      const link = node("a", "btn small live-download", "⬇ " + labels.live_l_download);
      link.href = clip.download_url;
      link.setAttribute("download", "");
      actions.append(link);
      caption.append(title, reasons, actions);
      card.append(video, caption);
      gallery.prepend(card);  // newest first
    });
    $("live-clips-empty").hidden = shownClips.size > 0;
  }

  // ---- alerts ---------------------------------------------------------------------------------------------
  function alerts(st) {
    const list = $("live-alerts");
    (st.alerts || []).forEach((alert) => {
      if (shownAlerts.has(alert.id)) return;
      shownAlerts.add(alert.id);
      const item = node("li", "live-alert");
      item.dataset.kind = alert.kind;
      item.append(node("span", "alert-kind", alert.label), node("span", "alert-text", alert.text));
      list.prepend(item);  // newest first
    });
    $("live-alerts-empty").hidden = shownAlerts.size > 0;
  }

  // ---- the viewers curve, with the clips and alerts on it ------------------------------------------------
  function draw() {
    const chart = $("live-chart");
    if (!state || !chart) return;
    const viewers = state.viewers;
    const points = viewers ? viewers.t_s.map((t, i) => [t + (viewers.interval_s || 0) / 2, viewers.values[i]])
      .filter((p) => p[1] != null) : [];
    $("live-chart-empty").hidden = points.length > 0;
    const W = Math.max(chart.clientWidth, 260);
    const H = 220, L = 44, R = 14, TOP = 28, BOTTOM = 24, plotH = H - TOP - BOTTOM;
    const ends = [60, state.written_s || 0, ...points.map((p) => p[0]), ...(state.clips || []).map((c) => c.end_s)];
    const duration = Math.max(...ends);
    const xOf = (t) => L + ((W - L - R) * Math.max(0, t)) / duration;
    const top = Math.max(1, ...points.map((p) => p[1])) * 1.15;
    const yOf = (v) => TOP + plotH - (plotH * v) / top;
    const svg = svgEl("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "timeline live-timeline" });
    svgEl("rect", { x: L, y: TOP, width: W - L - R, height: plotH, class: "plot-bg" }, svg);
    // the viewer scale: its top and middle
    [top / 2, top].forEach((v) => {
      svgEl("line", { x1: L, x2: W - R, y1: yOf(v), y2: yOf(v), class: "grid" }, svg);
      svgEl("text", { x: L - 6, y: yOf(v) + 4, class: "tick-label", "text-anchor": "end" }, svg)
        .textContent = Math.round(v).toLocaleString();
    });
    (state.clips || []).forEach((c, i) => {
      svgEl("rect", { x: xOf(c.start_s), y: TOP, width: Math.max(2, xOf(c.end_s) - xOf(c.start_s)), height: plotH, class: "clip-span" }, svg);
      const g = svgEl("g", { class: "clip-marker", "data-clip": c.id }, svg);
      svgEl("title", {}, g).textContent = `${c.title || labels.live_l_clip_n.replace("{n}", String(i + 1))} ${clock(c.start_s)}–${clock(c.end_s)}`;
      svgEl("rect", { x: xOf(c.start_s), y: 4, width: Math.max(22, xOf(c.end_s) - xOf(c.start_s)), height: 18, rx: 4 }, g);
      svgEl("text", { x: xOf(c.start_s) + 4, y: 17 }, g).textContent = "#" + (i + 1);
    });
    if (points.length) {
      const d = points.map((p, i) => (i ? "L" : "M") + xOf(p[0]).toFixed(1) + "," + yOf(p[1]).toFixed(1)).join("");
      const first = points[0], last = points[points.length - 1];
      svgEl("path", { d: d + `L${xOf(last[0])},${TOP + plotH}L${xOf(first[0])},${TOP + plotH}Z`, fill: VIEWERS, opacity: 0.12 }, svg);
      svgEl("path", { d, fill: "none", stroke: VIEWERS, "stroke-width": 2, class: "curve", "data-name": "online_viewers" }, svg);
    }
    (state.alerts || []).forEach((a) => {
      if (a.t_s == null) return;
      const x = xOf(a.t_s);
      const g = svgEl("g", { class: "alert-marker", "data-kind": a.kind }, svg);
      svgEl("title", {}, g).textContent = `${a.label}: ${a.text}`;
      svgEl("line", { x1: x, x2: x, y1: TOP, y2: TOP + plotH }, g);
      svgEl("path", { d: `M${x - 6},${TOP + plotH}L${x + 6},${TOP + plotH}L${x},${TOP + plotH - 11}Z` }, g);
    });
    const step = [10, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => (duration / s) * 64 < W - L - R) || 3600;
    for (let t = 0; t <= duration; t += step) {
      svgEl("line", { x1: xOf(t), x2: xOf(t), y1: TOP + plotH, y2: TOP + plotH + 4, class: "tick" }, svg);
      svgEl("text", { x: xOf(t), y: H - 6, class: "tick-label", "text-anchor": "middle" }, svg).textContent = short(t);
    }
    chart.replaceChildren(svg);
    chart.dataset.points = String(points.length);
  }

  function legend() {
    const row = (markClass, markText, text, color) => {
      const item = node("span");
      const mark = node("i", markClass, markText);
      if (color) mark.style.background = color;
      item.append(mark, text);
      return item;
    };
    $("live-legend").replaceChildren(row(null, null, labels.online_viewers, VIEWERS), row("lg-clip", null, labels.clips),
      row("lg-alert", "▲", labels.live_l_alerts));
  }

  // ---- polling --------------------------------------------------------------------------------------------
  async function poll() {
    let again = true;
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const st = await response.json();
        const wasActive = ACTIVE.includes(box.dataset.status);
        state = st;
        head(st);
        clips(st);
        alerts(st);
        draw();
        box.dataset.status = st.status;
        box.dataset.stage = st.stage;
        box.dataset.polls = String(Number(box.dataset.polls || 0) + 1);
        again = ACTIVE.includes(st.status);
        // a stream that failed or was stopped while the page was open: the page offers "watch again" after a reload
        if (wasActive && ["failed", "cancelled"].includes(st.status)) { window.location.reload(); return; }
      }
    } catch (e) { /* server busy or restarting: try again */ }
    if (again) setTimeout(poll, 2000);
  }
  legend();
  poll();
  window.addEventListener("resize", draw);
})();
