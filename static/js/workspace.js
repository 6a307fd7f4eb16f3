/* The workspace: every edit is saved at once through the API with If-Match; changes by others
   arrive over the WebSocket (live.js); a stale save shows both versions and lets the user choose.
   Keyboard shortcuts never put text anywhere: a status key leaves focus on the requirement, Enter (or a
   click) starts writing, Escape goes back. A final assessment's workspace is read-only: no inputs, no
   shortcuts, only the panels to read. Leaving with unsaved input asks first. */
(function () {
  "use strict";
  const root = document.getElementById("live-root");
  if (!root) return;
  const canChange = root.dataset.canChange === "1";
  const isFinal = root.dataset.final === "1";
  const live = window.ZonewiseLive;
  // The editable fields of a row: a gap result's by default; a page names its own (a component result adds
  // its source) in data-fields.
  const FIELDS = root.dataset.fields ? root.dataset.fields.split(",")
    : ["status", "assignee", "observations", "countermeasure", "justification"];
  const LABELS = { status: "Status", assignee: "Assignee", source: "Source", observations: "Observations",
    countermeasure: "Compensating countermeasure", justification: "Justification" };
  const STATUS_KEYS = { m: "met", p: "partially_met", n: "not_met", a: "not_applicable", c: "compensated", u: "not_assessed" };
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const rows = () => Array.from(document.querySelectorAll("article.result"));
  const rowById = (id) => document.getElementById("r-" + id);
  const input = (row, field) => row.querySelector('[data-field="' + field + '"]');

  function valuesOf(row) {
    const out = {};
    FIELDS.forEach((f) => { out[f] = input(row, f).value; });
    return out;
  }
  function fromApi(result) {
    const out = {};
    FIELDS.forEach((f) => { out[f] = result[f] == null ? "" : result[f]; });
    return out;
  }
  function optionLabel(row, field, value) {
    if (input(row, field).tagName !== "SELECT") return value || "(empty)";
    const option = Array.from(input(row, field).options).find((o) => o.value === (value || ""));
    return option ? option.textContent : value;
  }

  // The same "2026-11-25 18:02" as the server renders, in the browser's time zone.
  function stamp(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // On a final assessment the rows show values, not inputs: nothing here can be edited.
  if (!isFinal) rows().forEach((row) => { row._base = valuesOf(row); row._dirty = new Set(); });
  // The text field a status needs before it can be saved (null when it needs none).
  function neededField(status) {
    return status === "compensated" ? "countermeasure" : status === "not_applicable" ? "justification" : null;
  }

  function setState(row, text, kind) {
    const el = row.querySelector('[data-role="save-state"]');
    el.textContent = text;
    el.className = "save-state" + (kind ? " is-" + kind : "");
  }
  function showConditional(row) {
    const status = input(row, "status").value;
    row.querySelectorAll(".cond-field").forEach((label) => {
      const field = label.querySelector("textarea");
      label.hidden = label.dataset.when !== status && !field.value.trim();
    });
    row.className = row.className.replace(/\bstatus-\S+/, "status-" + status);
  }
  function showErrors(row, errors) {
    const box = row.querySelector('[data-role="errors"]');
    box.replaceChildren();
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const p = document.createElement("p");
      p.textContent = (LABELS[field] ? LABELS[field] + ": " : "") + [].concat(messages).join(" ");
      box.appendChild(p);
    });
  }
  function applyServer(row, result, by) {
    const values = fromApi(result);
    FIELDS.forEach((f) => { input(row, f).value = values[f]; });
    row._base = values;
    row._dirty.clear();
    row.dataset.version = result.version;
    row.querySelector('[data-role="version"]').textContent = result.version;
    const meta = row.querySelector('[data-role="meta"]');
    const version = document.createElement("span");
    version.dataset.role = "version";
    version.textContent = result.version;
    const name = result.updated_by_name || (by && by.name) || "someone";
    meta.replaceChildren(
      document.createTextNode("Changed by " + name + " · " + stamp(result.updated_at) + " · v"), version);
    showConditional(row);
    showErrors(row, null);
    showCarried(row, result);
    refreshTargets();
  }

  let targetsTimer = null;
  function refreshTargets() {
    clearTimeout(targetsTimer);
    targetsTimer = setTimeout(() => {
      const nav = document.getElementById(root.dataset.refresh || "targets");
      if (nav && window.htmx) window.htmx.trigger(nav, "refresh");
    }, 250);
  }

  // --- carried forward (decision 0026): confirming clears the mark with If-Match, like any save ------
  function showCarried(row, result) {
    if (result.carried_forward !== false) return;
    row.querySelectorAll('[data-role="carried"], [data-role="carried-expired"], [data-action="confirm"]').forEach((el) => el.remove());
  }
  async function confirmCarried(row) {
    if (!canChange || row._inflight || !row.querySelector('[data-role="carried"]')) return;
    if (row._dirty.size) { setState(row, "Not confirmed: your edit is still being saved; confirm once it is.", "pending"); return; }
    row._inflight = true;
    setState(row, "Confirming…", "saving");
    let response;
    try {
      response = await fetch(row.dataset.url, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "If-Match": '"' + row.dataset.version + '"', "X-CSRFToken": csrf },
        body: JSON.stringify({ carried_forward: false }),
      });
    } catch (e) {
      row._inflight = false;
      setState(row, "Not confirmed: the server cannot be reached.", "error");
      return;
    }
    row._inflight = false;
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      applyServer(row, data, null);
      setState(row, "Confirmed", "ok");
    } else if (response.status === 412 && data.current) {
      // Someone changed it meanwhile: show their version; confirming what one has not seen is no confirmation.
      applyServer(row, data.current, null);
      setState(row, "Not confirmed: " + (data.current.updated_by_name || "someone") + " changed it meanwhile. Check it and confirm again.", "error");
    } else {
      setState(row, "Not confirmed: " + (data.detail || response.statusText), "error");
    }
  }

  // --- saving ---------------------------------------------------------------------------------
  async function save(row) {
    if (!canChange || row._inflight || !row._dirty.size) return;
    const sent = {};
    row._dirty.forEach((f) => { sent[f] = input(row, f).value; });
    if ("assignee" in sent && sent.assignee === "") sent.assignee = null;
    row._inflight = true;
    setState(row, "Saving…", "saving");
    let response;
    try {
      response = await fetch(row.dataset.url, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "If-Match": '"' + row.dataset.version + '"', "X-CSRFToken": csrf },
        body: JSON.stringify(sent),
      });
    } catch (e) {
      row._inflight = false;
      setState(row, "Not saved: the server cannot be reached. Your text is kept; it is saved when you edit again.", "error");
      return;
    }
    row._inflight = false;
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      const typedMeanwhile = FIELDS.filter((f) => row._dirty.has(f) && input(row, f).value !== (sent[f] ?? ""));
      applyServerKeepingTyping(row, data, typedMeanwhile);
      setState(row, "Saved", "ok");
      if (row._dirty.size) schedule(row);
    } else if (response.status === 412) {
      showConflict(row, data.current, sent);
      setState(row, "Not saved: changed by someone else", "error");
    } else if (response.status === 400) {
      showErrors(row, data);
      setState(row, "Not saved", "error");
    } else {
      setState(row, "Not saved: " + (data.detail || response.statusText), "error");
    }
  }
  function applyServerKeepingTyping(row, result, typedMeanwhile) {
    const kept = {};
    typedMeanwhile.forEach((f) => { kept[f] = input(row, f).value; });
    applyServer(row, result, null);
    Object.entries(kept).forEach(([f, v]) => { input(row, f).value = v; row._dirty.add(f); });
    showConditional(row);
  }
  const timers = new WeakMap();
  function schedule(row, delay) {
    clearTimeout(timers.get(row));
    // data-save-delay lets a test widen the pause between the last keystroke and the save.
    timers.set(row, setTimeout(() => save(row), delay ?? Number(root.dataset.saveDelay || 700)));
  }

  // --- conflicts --------------------------------------------------------------------------------
  function showConflict(row, current, mine) {
    const box = row.querySelector('[data-role="conflict"]');
    box.replaceChildren();
    if (!current) { box.hidden = true; return; }
    const head = document.createElement("p");
    head.append(document.createTextNode(
      (current.updated_by_name || "Someone") + " changed this requirement while you were editing it (now version " +
      current.version + "). Nothing was overwritten: choose which to keep."));
    const table = document.createElement("table");
    table.className = "table compact";
    const headRow = document.createElement("tr");
    const theirsBy = current.updated_by_name || "someone";
    [
      "Field",
      "Their version " + current.version + " (saved by " + theirsBy + (current.updated_at ? " at " + stamp(current.updated_at) : "") + ")",
      "Yours (not saved; you started from version " + row.dataset.version + ")",
    ].forEach((text) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      headRow.appendChild(th);
    });
    table.createTHead().appendChild(headRow);
    const body = document.createElement("tbody");
    const theirs = fromApi(current);
    Object.keys(mine).forEach((f) => {
      const tr = document.createElement("tr");
      [LABELS[f], optionLabel(row, f, theirs[f]), optionLabel(row, f, mine[f] ?? "")].forEach((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    // Fields the user did not touch take the saved values at once; only real clashes are asked about.
    const alsoChanged = FIELDS.filter((f) => !(f in mine) && row._base[f] !== theirs[f]);
    FIELDS.filter((f) => !(f in mine)).forEach((f) => { input(row, f).value = theirs[f]; row._base[f] = theirs[f]; });
    showConditional(row);
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = alsoChanged.length
      ? "Their other changes are shown above and kept: " + alsoChanged.map((f) => LABELS[f] + " → " + optionLabel(row, f, theirs[f])).join("; ") + "."
      : "";
    const actions = document.createElement("div");
    actions.className = "actions";
    const useMine = Object.assign(document.createElement("button"), { type: "button", className: "btn btn-primary", textContent: "Keep mine (save over theirs)" });
    const useTheirs = Object.assign(document.createElement("button"), { type: "button", className: "btn", textContent: "Take theirs (discard mine)" });
    useMine.dataset.choice = "mine";
    useTheirs.dataset.choice = "theirs";
    useMine.addEventListener("click", () => {
      row.dataset.version = current.version;
      box.hidden = true;
      save(row);
    });
    useTheirs.addEventListener("click", () => {
      applyServer(row, current, null);
      box.hidden = true;
      setState(row, "Took their version", "ok");
    });
    actions.append(useMine, useTheirs);
    box.append(head, table, note, actions);
    box.hidden = false;
    row._conflict = true;
  }

  // --- editing events ---------------------------------------------------------------------------
  document.addEventListener("change", (event) => {
    const field = event.target.dataset && event.target.dataset.field;
    const row = event.target.closest && event.target.closest("article.result");
    if (!field || !row || event.target.tagName !== "SELECT") return;
    row._dirty.add(field);
    showConditional(row);
    const needs = neededField(input(row, "status").value);
    if (field === "status" && needs && !input(row, needs).value.trim()) {
      // Focus stays where it is: a shortcut typed next must not become the text (press Enter or click to write).
      const what = needs === "countermeasure" ? "countermeasure" : "justification";
      setState(row, "Not saved yet: write the " + what + " to save this status (press Enter or click the field)", "pending");
      return;
    }
    save(row);
  });
  document.addEventListener("input", (event) => {
    const field = event.target.dataset && event.target.dataset.field;
    const row = event.target.closest && event.target.closest("article.result");
    if (!field || !row || event.target.tagName !== "TEXTAREA") return;
    row._dirty.add(field);
    setState(row, "Editing…", "pending");
    schedule(row);
  });
  document.addEventListener("focusout", (event) => {
    const row = event.target.closest && event.target.closest("article.result");
    if (row && event.target.tagName === "TEXTAREA" && row._dirty.size) schedule(row, 0);
  });

  // --- presence: who edits what -------------------------------------------------------------------
  let focused = null;
  let blurTimer = null;
  document.addEventListener("focusin", (event) => {
    const row = event.target.closest && event.target.closest("article.result");
    clearTimeout(blurTimer);
    if (row && row.dataset.id !== focused) {
      focused = row.dataset.id;
      live && live.send({ type: "focus", result: focused });
    }
  });
  document.addEventListener("focusout", () => {
    clearTimeout(blurTimer);
    blurTimer = setTimeout(() => {
      if (!document.activeElement || !document.activeElement.closest("article.result")) {
        focused = null;
        live && live.send({ type: "focus", result: null });
      }
    }, 300);
  });
  function markEditors(people) {
    document.querySelectorAll('[data-role="editing"]').forEach((el) => { el.textContent = ""; el.closest("article").classList.remove("has-editor"); });
    (people || []).forEach((p) => {
      if (!p.editing || (live.me && p.id === live.me.id)) return;
      const row = rowById(p.editing);
      if (!row) return;
      const el = row.querySelector('[data-role="editing"]');
      el.textContent = (el.textContent ? el.textContent + ", " : "✎ ") + p.name + " is editing";
      row.classList.add("has-editor");
    });
  }

  // A newer version of a result, from the socket or from a bulk edit's answer: shown at once unless
  // someone is typing in that row (their next save then shows both versions).
  function applyLive(result, by) {
    const row = rowById(result.id);
    if (!row) { refreshTargets(); return; }
    if (Number(result.version) <= Number(row.dataset.version)) return;
    if (row._dirty.size || row._inflight) {
      setState(row, (by && by.name || "Someone") + " changed this meanwhile; when you save you will see both versions.", "pending");
      refreshTargets();
      return;
    }
    applyServer(row, result, by);
    row.classList.remove("flash");
    void row.offsetWidth;
    row.classList.add("flash");
    setState(row, "Updated by " + (by ? by.name : "someone"), "live");
  }
  window.ZonewiseWorkspace = { applyLive };

  if (live && isFinal) {
    // Reopened (or changed) while read here: the page comes back with what may now be edited.
    live.on("assessment.updated", (m) => { if (m.status) window.location.reload(); });
  } else if (live) {
    live.on("presence", (m) => markEditors(m.people));
    live.on("hello", (m) => { markEditors(m.people); if (focused) live.send({ type: "focus", result: focused }); });
    live.on("result.updated", (m) => applyLive(m.result, m.by));
    // A bulk edit (decision 0028): one message for many results, each applied as a result.updated.
    live.on("results.updated", (m) => (m.results || []).forEach((result) => applyLive(result, m.by)));
    // Caught up after missed messages (decision 0037): the results as they are now, shown as after a reconnect.
    live.on("changes", (m) => { refreshTargets(); m.results.forEach(applyCaughtUp); });
    live.on("comment.added", (m) => {
      const row = rowById(m.result);
      if (!row) return;
      const count = row.querySelector('[data-role="comment-count"]');
      count.textContent = String(Number(count.textContent) + 1);
      const panel = row.querySelector('[data-role="panel"]');
      if (!panel.hidden && panel.dataset.kind === "comments" && !panel.contains(document.activeElement)) loadPanel(row, "comments");
    });
    live.on("evidence.linked", (m) => {
      const row = rowById(m.result);
      if (!row) return;
      refreshChips(row);
      const panel = row.querySelector('[data-role="panel"]');
      if (!panel.hidden && panel.dataset.kind === "evidence" && !panel.contains(document.activeElement)) loadPanel(row, "evidence");
    });
    live.on("assessment.resynced", () => refreshTargets());
    live.on("assessment.applied", () => refreshTargets());
    live.on("resume", () => catchUp());
    live.on("assessment.updated", (m) => { if (m.status) window.location.reload(); });
  }

  // --- catching up after the socket was away (a network drop, a laptop asleep, a server restart) ---
  // A result as it is now, after messages were missed: shown unless someone is typing in that row.
  function applyCaughtUp(result) {
    const row = rowById(result.id);
    if (!row || Number(result.version) <= Number(row.dataset.version)) return;
    if (row._dirty.size || row._inflight) {
      setState(row, (result.updated_by_name || "Someone") + " changed this while you were offline; when you save you will see both versions.", "pending");
      return;
    }
    applyServer(row, result, null);
    setState(row, "Updated by " + (result.updated_by_name || "someone") + " while you were offline", "live");
  }

  // What others saved meanwhile was not replayed: read this page's results again and show what changed.
  async function catchUp() {
    refreshTargets();
    let next = root.dataset.catchUpUrl;
    try {
      while (next) {
        const response = await fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const page = await response.json();
        page.results.forEach(applyCaughtUp);
        next = page.next;
      }
    } catch (e) {
      // Still unreachable: the socket will close again and the next "resume" retries.
    }
  }

  // --- panels: comments, evidence, history --------------------------------------------------------
  // A row says where its panels are (data-panel-base); a gap result's are under /results/<id>/.
  const panelBase = (row) => row.dataset.panelBase || "/results/" + row.dataset.id + "/";
  function loadPanel(row, kind) {
    const panel = row.querySelector('[data-role="panel"]');
    panel.dataset.kind = kind;
    panel.hidden = false;
    const url = panelBase(row) + kind + "/";
    return window.htmx.ajax("GET", url, { target: panel, swap: "innerHTML" });
  }
  function refreshChips(row) {
    const chips = document.getElementById("chips-" + row.dataset.id);
    if (!chips) return;
    window.htmx.ajax("GET", panelBase(row) + "evidence/?part=chips", { target: chips, swap: "outerHTML" });
  }
  function togglePanel(row, kind, button) {
    const panel = row.querySelector('[data-role="panel"]');
    row.querySelectorAll("[aria-expanded]").forEach((b) => b.setAttribute("aria-expanded", "false"));
    if (!panel.hidden && panel.dataset.kind === kind) { panel.hidden = true; return; }
    button.setAttribute("aria-expanded", "true");
    loadPanel(row, kind);
  }
  function openHistory(row) {
    const dialog = document.getElementById("history-dialog");
    window.htmx.ajax("GET", row.dataset.historyUrl, { target: "#history-body", swap: "innerHTML" }).then(() => {
      if (!dialog.open) dialog.showModal();
    });
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-action]");
    if (!button) return;
    const row = button.closest("article.result");
    const action = button.dataset.action;
    if (action === "confirm") { confirmCarried(row); return; }
    if (action === "history") openHistory(row);
    else togglePanel(row, action, button);
  });
  // A panel's own refusals come back as the panel with the reason (HTTP 200); anything else that fails
  // (a proxy's size limit, a lost connection, a server error) is said in words in the panel too.
  function panelMessage(elt, text) {
    const panel = elt && elt.closest && elt.closest('[data-role="panel"]');
    if (!panel) return false;
    let box = panel.querySelector('[data-role="panel-error"]');
    if (!box) {
      box = document.createElement("p");
      box.className = "panel-msg is-error";
      box.dataset.role = "panel-error";
      box.setAttribute("role", "alert");
      const heading = panel.querySelector("h4");
      if (heading) heading.after(box); else panel.prepend(box);
    }
    box.textContent = "Not done: " + text;
    return true;
  }
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!form || !form.matches || !form.matches(".upload-form")) return;
    const file = form.querySelector('input[type="file"]');
    const limit = Number(form.dataset.maxBytes || 0);
    const chosen = file && file.files && file.files[0];
    // Say so before sending megabytes the server will refuse anyway (the server checks again).
    if (chosen && limit && chosen.size > limit) {
      event.preventDefault();
      panelMessage(form, "the file is " + (chosen.size / 1048576).toFixed(1) + " MB; evidence files are limited to " + form.dataset.maxMb + " MB.");
    }
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    const reason = xhr.status === 413 ? "the file is larger than the server accepts."
      : plain && xhr.responseText.length < 300 ? xhr.responseText
        : "the server answered " + xhr.status + " " + (xhr.statusText || "") + ". Nothing was changed; try again.";
    if (panelMessage(event.detail.requestConfig && event.detail.requestConfig.elt, reason)) event.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    panelMessage(event.detail.elt, "the server cannot be reached. Nothing was changed; try again.");
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "targets") {
      const current = event.target.querySelector('[aria-current="page"]');
      const achieved = document.getElementById("target-achieved");
      if (current && achieved && current.dataset.achieved) achieved.textContent = current.dataset.achieved;
    }
  });

  // --- keyboard -------------------------------------------------------------------------------------
  // Shortcuts act on the requirement that has focus and never type: Enter starts writing, Escape in a
  // text field goes back to the requirement. While focus is in any field, keys are that field's.
  document.addEventListener("keydown", (event) => {
    if (isFinal || event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    const tag = target.tagName;
    if (event.key === "Escape" && tag === "TEXTAREA" && target.dataset.field) {
      const owner = target.closest("article.result");
      if (owner) { owner.focus(); event.preventDefault(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
        target.isContentEditable || (target.closest && target.closest("dialog, .panel"))) return;
    const list = rows();
    const row = target.closest && target.closest("article.result");
    const index = row ? list.indexOf(row) : -1;
    if (event.key === "j" || event.key === "k") {
      const next = list[event.key === "j" ? Math.min(index + 1, list.length - 1) : Math.max(index - 1, 0)];
      if (next) { next.focus(); next.scrollIntoView({ block: "nearest" }); event.preventDefault(); }
      return;
    }
    if (!row || target !== row) return;
    if (event.key === "h") { openHistory(row); event.preventDefault(); return; }
    if (event.key === "y" && canChange) { confirmCarried(row); event.preventDefault(); return; }
    if (event.key === "Enter" && canChange) {
      // The text the status still needs, else the observations.
      const needs = neededField(input(row, "status").value);
      const field = input(row, needs && !input(row, needs).value.trim() ? needs : "observations");
      field.closest("label").hidden = false;
      field.focus();
      event.preventDefault();
      return;
    }
    const status = STATUS_KEYS[event.key];
    if (status && canChange) {
      const select = input(row, "status");
      select.value = status;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      event.preventDefault();
    }
  });

  // --- leaving with unsaved input ---------------------------------------------------------------------
  function unsaved() {
    if (isFinal) return false;
    if (rows().some((row) => row._dirty.size || row._inflight)) return true;
    // A comment or evidence form in an open panel that has text or a chosen file in it.
    return Array.from(document.querySelectorAll('[data-role="panel"]:not([hidden]) form')).some((form) =>
      Array.from(form.querySelectorAll('textarea, input[type="text"], input[type="file"]')).some((el) => el.value.trim() !== ""));
  }
  window.addEventListener("beforeunload", (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need it set to ask
  });
})();
