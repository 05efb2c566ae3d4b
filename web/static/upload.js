// Resumable upload (tus 1.0.0 client) for the upload page: chunked PATCHes with per-chunk SHA-256 where the
// browser allows it, resume after a dropped connection (HEAD for the offset), and resume after a page reload
// (the upload URL is remembered in localStorage per file). A metrics export or comment log is uploaded as soon as
// it is chosen and previewed (inspect.js); before the job is made, both are checked against the recording and a
// file a job would refuse stops the submission with its preview.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const CHUNK = Number(form.dataset.chunk) || 8 * 1024 * 1024;
  const bar = document.getElementById("upload-bar");
  const statusLine = document.getElementById("upload-status");
  const msg = (k) => form.dataset["msg" + k] || k;
  const base = { "Tus-Resumable": "1.0.0", "X-CSRF-Token": csrf };

  // ---- unfinished uploads (tus URLs remembered in localStorage): say so after a reload, and per chosen file
  const PREFIX = "mediaops-upload:";
  const notice = document.getElementById("resume-notice");
  const fileKey = (kind, file) => PREFIX + [kind, file.name, file.size, file.lastModified].join(":");
  function showResumable() {
    const names = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.startsWith(PREFIX)) names.push(key.slice(PREFIX.length).split(":").slice(1, -2).join(":"));
    }
    if (names.length && notice) {
      notice.textContent = msg("ResumeFound").replace("{files}", names.join("、"));
      notice.hidden = false;
    }
  }
  showResumable();
  ["recording", "metrics", "comments", "products"].forEach((kind) => {
    const input = form.elements[kind];
    if (!input) return;
    input.addEventListener("change", () => {
      const label = input.closest("label");
      let hint = label.querySelector(".resume-file");
      const file = input.files[0];
      if (file && localStorage.getItem(fileKey(kind, file))) {
        if (!hint) { hint = document.createElement("span"); hint.className = "resume-file"; label.append(hint); }
        hint.textContent = msg("ResumeFile");
      } else if (hint) hint.remove();
    });
  });

  function readingOptions() {
    // how the files are read; left out where the field says "automatic" or is empty (the server's default)
    const chosen = {};
    ["start_time", "timezone", "date_order", "times", "counts"].forEach((name) => {
      const value = form.elements[name].value.trim();
      if (value !== "" && value !== "auto") chosen[name] = value;
    });
    const offset = form.elements.metrics_offset_s.value;
    if (offset !== "" && Number(offset) !== 0) chosen.metrics_offset_s = Number(offset);
    return chosen;
  }

  function options() {
    // the clip and reading settings, checked again by the server against the same table of job options
    const chosen = { captions: form.elements.captions.checked, aspect: form.elements.aspect.value,
                     ...readingOptions() };
    [["clips", parseInt], ["min_duration_s", Number], ["max_duration_s", Number]].forEach(([name, cast]) => {
      const value = form.elements[name].value;
      if (value !== "") chosen[name] = cast(value);
    });
    return chosen;
  }

  function b64(text) {
    return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  }
  function b64bytes(buffer) {
    let s = "";
    new Uint8Array(buffer).forEach((b) => { s += String.fromCharCode(b); });
    return btoa(s);
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function errorText(response) {
    // "message" is in the page's language where the server has one (refused uploads), "error" is English
    try { const body = await response.json(); return body.message || body.error; }
    catch (e) { return response.status + " " + response.statusText; }
  }

  function patch(url, offset, blob, checksum, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PATCH", url);
      Object.entries(base).forEach(([k, v]) => xhr.setRequestHeader(k, v));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.setRequestHeader("Upload-Offset", String(offset));
      if (checksum) xhr.setRequestHeader("Upload-Checksum", "sha256 " + checksum);
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("network"));
      xhr.send(blob);
    });
  }

  async function upload(file, kind, onBytes) {
    const key = fileKey(kind, file);
    let url = localStorage.getItem(key);
    let offset = 0;
    if (url) {
      const head = await fetch(url, { method: "HEAD", headers: base });
      if (head.ok) offset = Number(head.headers.get("Upload-Offset")); else url = null;
    }
    if (!url) {
      const created = await fetch(form.dataset.createUrl, {
        method: "POST",
        headers: { ...base, "Upload-Length": String(file.size),
                   "Upload-Metadata": "filename " + b64(file.name) + ",kind " + b64(kind) },
      });
      if (created.status !== 201) throw new Error(file.name + ": " + (await errorText(created)));
      url = created.headers.get("Location");
      localStorage.setItem(key, url);
    }
    let failures = 0;
    while (offset < file.size) {
      const blob = file.slice(offset, Math.min(offset + CHUNK, file.size));
      let checksum = null;
      if (window.crypto && crypto.subtle) checksum = b64bytes(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
      try {
        const xhr = await patch(url, offset, blob, checksum, (n) => onBytes(file, offset + n));
        if (xhr.status === 204) {
          offset = Number(xhr.getResponseHeader("Upload-Offset"));
          failures = 0;
          onBytes(file, offset);
          continue;
        }
        if (xhr.status === 404) { localStorage.removeItem(key); }
        if (xhr.status !== 409 && xhr.status !== 460 && xhr.status !== 423) {
          let text = xhr.statusText;
          try { const body = JSON.parse(xhr.responseText); text = body.message || body.error; }
          catch (e) { /* keep statusText */ }
          throw new Error(file.name + ": " + text);
        }
      } catch (err) {
        if (err.message !== "network") throw err;
      }
      // dropped connection, busy or out-of-step: wait, ask the server where it stands, carry on from there
      failures += 1;
      if (failures > 30) throw new Error(file.name + ": " + msg("Failed"));
      statusLine.textContent = msg("Resuming");
      await sleep(Math.min(1000 * failures, 10000));
      try {
        const head = await fetch(url, { method: "HEAD", headers: base });
        if (head.ok) offset = Number(head.headers.get("Upload-Offset"));
      } catch (e) { /* still offline; try again */ }
    }
    return { id: url.split("/").pop(), key, url };
  }

  // ---- previews: a metrics export or comment log is uploaded when chosen (they are small) and read by the server
  const inspector = window.MediaOpsInspect ? window.MediaOpsInspect.create(form) : null;
  const early = {};   // kind -> {file, id}: side files uploaded for their preview, reused by the job
  let recordingId = null;   // once the recording is uploaded, previews check the times against it

  function previewOf(kind) {
    const entry = early[kind];
    if (!inspector || !entry) return Promise.resolve(null);
    const body = { options: readingOptions() };
    if (recordingId) body.recording = recordingId;
    return inspector.preview(kind, entry.id, entry.file.name, body);
  }

  function forget(kind) {
    const entry = early[kind];
    delete early[kind];
    if (entry) fetch(entry.url, { method: "DELETE", headers: base }).catch(() => {});
  }

  if (inspector) {
    inspector.kinds.forEach((kind) => {
      const input = form.elements[kind];
      input.addEventListener("change", async () => {
        const file = input.files[0];
        inspector.clear(kind);
        forget(kind);
        if (!file) return;
        inspector.show(kind, msg("Reading").replace("{filename}", file.name), "pending");
        try {
          const result = await upload(file, kind, () => {});
          localStorage.removeItem(result.key);   // complete: nothing to resume after a reload
          if (input.files[0] !== file) return;
          early[kind] = { file, id: result.id, url: result.url };
          await previewOf(kind);
        } catch (err) {
          if (input.files[0] === file) inspector.show(kind, msg("NoPreview") + ": " + err.message, "error");
        }
      });
    });
    let pending = null;
    document.getElementById("reading-options").addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(() => inspector.kinds.forEach((kind) => previewOf(kind)), 500);
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = document.getElementById("upload-submit");
    button.disabled = true;
    statusLine.classList.remove("error");
    form.querySelector(".upload-progress").hidden = false;
    const kinds = ["recording", "metrics", "comments", "products"];
    const files = kinds.map((k) => [k, form.elements[k].files[0]]).filter(([, f]) => f);
    const total = files.reduce((n, [, f]) => n + f.size, 0);
    const done = new Map();
    statusLine.textContent = msg("Uploading") + " 0%";
    const onBytes = (file, bytes) => {
      done.set(file, bytes);
      const sum = [...done.values()].reduce((a, b) => a + b, 0);
      const pct = total ? (100 * sum) / total : 100;
      bar.style.width = pct.toFixed(1) + "%";
      statusLine.textContent = msg("Uploading") + " " + pct.toFixed(1) + "% · " + (sum / 1048576).toFixed(1) +
        " / " + (total / 1048576).toFixed(1) + " MB";
    };
    try {
      const body = { name: form.elements.name.value || null, options: options() };
      const keys = [];
      for (const [kind, file] of files) {
        if (early[kind] && early[kind].file === file) {   // uploaded for its preview already
          body[kind] = early[kind].id;
          onBytes(file, file.size);
          continue;
        }
        const result = await upload(file, kind, onBytes);
        body[kind] = result.id;
        keys.push(result.key);
        if (kind === "recording") recordingId = result.id;
        else if (inspector && inspector.kinds.includes(kind)) early[kind] = { file, id: result.id, url: result.url };
      }
      if (inspector) {
        // the times against the recording: a file a job would refuse stops here, with its preview saying why
        statusLine.textContent = msg("Checking");
        const answers = await Promise.all(inspector.kinds.filter((k) => body[k]).map((k) => previewOf(k)));
        const refused = inspector.kinds.filter((k) => body[k]).find((k, i) => answers[i] && answers[i].ok === false);
        if (refused) {
          document.getElementById("preview-" + refused).scrollIntoView({ block: "start" });
          statusLine.textContent = msg("FixFirst");
          statusLine.classList.add("error");
          button.disabled = false;
          return;
        }
      }
      statusLine.textContent = msg("Done");
      const response = await fetch(form.dataset.jobsUrl, {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(await errorText(response));
      keys.forEach((k) => localStorage.removeItem(k));
      window.location = (await response.json()).links.page;
    } catch (err) {
      statusLine.textContent = msg("Failed") + ": " + err.message;
      statusLine.classList.add("error");
      button.disabled = false;
    }
  });
})();
