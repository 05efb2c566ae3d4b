// The upload page's preview of a metrics export or comment log: what `mediaops inspect FILE` shows, from
// POST /api/uploads/<id>/inspect, in the page's language. Every string in the answer may come from the file
// (column names, cells, comments), so everything here goes into the page as text (textContent), never as HTML.
// upload.js uses window.MediaOpsInspect.create(form) to show a preview and to ask whether a job would refuse a file.
(function () {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function create(form) {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const msg = (k) => form.dataset["msg" + k] || k;
    const boxes = { metrics: document.getElementById("preview-metrics"),
                    comments: document.getElementById("preview-comments") };
    const turn = { metrics: 0, comments: 0 };   // the latest request per kind; older answers are dropped
    const flagged = { metrics: [], comments: [] };

    function url(uploadId) {
      const base = form.dataset.inspectUrl.replace("UPLOAD_ID", encodeURIComponent(uploadId));
      return base + "?lang=" + encodeURIComponent(form.dataset.lang || "zh");
    }

    // the form fields a preview says would change what it warns about, marked until the next preview
    function flag(kind, fields) {
      flagged[kind] = fields.slice();
      form.querySelectorAll("label.needs-change").forEach((label) => label.classList.remove("needs-change"));
      Object.values(flagged).flat().forEach((name) => {
        const field = form.elements[name];
        const label = field && field.closest ? field.closest("label") : null;
        if (label) label.classList.add("needs-change");
      });
    }

    function focusField(name) {
      const field = form.elements[name];
      if (!field) return;
      field.scrollIntoView({ block: "center" });
      field.focus();
    }

    function note(item, labels, fieldLabels) {
      // one warning or the refusal: its words, what changes it, and a button per form field
      const li = el("li", "", item.text);
      if (item.fix) li.append(" ", el("span", "fix", item.fix));
      (item.fields || []).forEach((name) => {
        if (!form.elements[name]) return;
        const button = el("button", "btn small change", labels.change + " · " + (fieldLabels[name] || name));
        button.type = "button";
        button.dataset.field = name;
        button.addEventListener("click", () => focusField(name));
        li.append(" ", button);
      });
      return li;
    }

    function render(kind, answer) {
      const box = boxes[kind];
      const view = answer.preview;
      box.replaceChildren();
      box.hidden = false;
      box.className = "preview " + (view.ok === true ? "ok" : view.ok === false ? "refused" : "unknown");
      box.append(el("h3", "", view.title));
      box.append(el("p", "verdict", view.verdict));
      const fields = [];
      if (view.error) {
        const refusal = el("ul", "refusal");
        refusal.append(note(view.error, view.labels, view.field_labels));
        box.append(refusal);
        fields.push(...(view.error.fields || []));
      }
      if (view.facts.length) {
        const facts = el("dl", "facts");
        view.facts.forEach((fact) => { facts.append(el("dt", "", fact.label), el("dd", "", fact.value)); });
        box.append(facts);
      }
      if (view.columns) {
        const table = el("table", "compact");
        const head = el("tr");
        view.columns.head.forEach((h) => head.append(el("th", "", h)));
        table.append(el("thead"));
        table.tHead.append(head);
        const body = el("tbody");
        view.columns.rows.forEach((c) => {
          const tr = el("tr");
          [c.header, c.metric, c.unit, c.reading, c.total].forEach((v, i) => tr.append(el("td", i === 4 ? "n" : "", v)));
          body.append(tr);
        });
        table.append(body);
        const scroll = el("div", "table-scroll");
        scroll.append(table);
        box.append(scroll);
      }
      if (view.rows.length) {
        const rows = el("ul", "rows");
        view.rows.forEach((row) => {
          const li = el("li");
          li.append(el("b", "", row.label), " ", el("span", "sub", row.line), " ", el("q", "", row.time), " → ",
                    el("span", "", row.at));
          const values = el("span", "values");
          row.values.forEach((v) => values.append(el("span", "value", v.name + " " + v.value)));
          li.append(values);
          rows.append(li);
        });
        box.append(rows);
      }
      if (view.warnings.length) {
        box.append(el("h4", "", view.labels.warnings));
        const list = el("ul", "warnings");
        view.warnings.forEach((w) => { list.append(note(w, view.labels, view.field_labels)); fields.push(...(w.fields || [])); });
        box.append(list);
      }
      flag(kind, [...new Set(fields)]);
    }

    function show(kind, text, state) {
      const box = boxes[kind];
      box.replaceChildren(el("p", state === "error" ? "verdict error" : "verdict", text));
      box.className = "preview " + (state || "pending");
      box.hidden = false;
    }

    function clear(kind) {
      turn[kind] += 1;
      boxes[kind].replaceChildren();
      boxes[kind].hidden = true;
      flag(kind, []);
    }

    // Ask for the preview of an upload (repeating the request while the server reads the file); resolves with the
    // answer (ok true, false, or null when no preview could be made), or null when a newer request replaced it.
    async function preview(kind, uploadId, filename, body) {
      const mine = ++turn[kind];
      show(kind, msg("Reading").replace("{filename}", filename), "pending");
      const deadline = Date.now() + 180000;
      while (Date.now() < deadline) {
        let response;
        try {
          response = await fetch(url(uploadId), {
            method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify(body),
          });
        } catch (e) {
          await sleep(2000);
          continue;
        }
        if (mine !== turn[kind]) return null;
        if (response.status === 202) {
          await sleep(1000 * (Number(response.headers.get("Retry-After")) || 1));
          if (mine !== turn[kind]) return null;
          continue;
        }
        let answer = null;
        try { answer = await response.json(); } catch (e) { /* not JSON: shown as no preview */ }
        if (mine !== turn[kind]) return null;
        if (response.status === 200 && answer && answer.preview) {
          render(kind, answer);
          return answer;
        }
        show(kind, msg("NoPreview") + ": " + ((answer && (answer.message || answer.error)) || response.status), "error");
        flag(kind, answer && answer.field ? [answer.field] : []);
        return { ok: null, status: response.status, field: answer && answer.field };
      }
      show(kind, msg("NoPreview"), "error");
      return { ok: null };
    }

    return { preview, show, clear, kinds: Object.keys(boxes) };
  }

  window.MediaOpsInspect = { create };
})();
