/* The risk register (templates/risk/register.html): rows edit in place with htmx; this file keeps the page
   live. Others' changes arrive over the WebSocket (static/js/live.js, docs/live-protocol.md "Risk
   assessments") and the changed row is fetched from the server as HTML, so it shows exactly what this person
   may do with it. A row someone is editing here is never replaced: a notice says what happened instead, and
   saving it then answers 412 with both versions side by side. */
(function () {
  "use strict";
  const root = document.getElementById("live-root");
  if (!root) return;
  const notice = document.getElementById("live-notice");
  const rowUrl = (id) => root.dataset.rowUrl.replace("ID", id);

  function say(text) {
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
  }

  function refreshEmpty(tbody) {
    if (!tbody) return;
    const empty = tbody.querySelector(".empty-row");
    if (empty) empty.hidden = tbody.querySelector(".scenario-row, .scenario-form-row") !== null;
  }

  function parseRow(html) {
    const holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  async function fetchRow(id) {
    const response = await fetch(rowUrl(id), { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (!response.ok) return null;
    return parseRow(await response.text());
  }

  function focus(id) {
    if (window.ZonewiseLive) window.ZonewiseLive.send({ type: "focus", scenario: id || null });
  }

  // A stale save answers 412 with the form and both versions: show it rather than treat it as a failure.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 412) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const tbody = target && target.closest ? target.closest("tbody") : null;
    refreshEmpty(tbody || (target && target.tagName === "TBODY" ? target : null));
    const form = document.querySelector(".scenario-form-row[data-editing]:not([data-editing=''])");
    focus(form ? form.dataset.editing : null);
    const first = target && target.querySelector ? target.querySelector(".scenario-form-row input:not([type=hidden])") : null;
    if (first && event.detail.requestConfig && event.detail.requestConfig.verb === "get") first.focus();
  });

  document.body.addEventListener("risk:stale", (event) => say(event.detail.value || "Someone changed this scenario meanwhile."));

  document.addEventListener("click", (event) => {
    const cancel = event.target.closest("[data-action='cancel-new']");
    if (!cancel) return;
    const row = cancel.closest("tr");
    const tbody = row.closest("tbody");
    row.remove();
    refreshEmpty(tbody);
  });

  const live = window.ZonewiseLive;
  if (!live) return;

  async function saved(message) {
    const id = message.scenario;
    const existing = document.getElementById("r-" + id);
    const mine = live.me && message.by && message.by.id === live.me.id;
    if (existing && existing.classList.contains("scenario-form-row")) {
      if (!mine) say(message.by.name + " saved “" + existing.dataset.ref + "” while you edit it; saving will show their version beside yours.");
      return;
    }
    if (existing && Number(existing.dataset.version) >= Number(message.version)) return;
    const row = await fetchRow(id);
    if (!row) return;
    const again = document.getElementById("r-" + id);  // it may have arrived while fetching
    if (again) {
      if (again.classList.contains("scenario-form-row")) return;
      again.replaceWith(row);
    } else {
      const tbody = document.getElementById("rows-" + message.target);
      if (!tbody) return;
      const empty = tbody.querySelector(".empty-row");
      tbody.insertBefore(row, empty);
      refreshEmpty(tbody);
    }
    if (window.htmx) window.htmx.process(row);
    if (!mine) {
      row.classList.add("is-fresh");
      say(message.by.name + (message.type === "scenario.created" ? " added “" : " changed “") + row.dataset.ref + "”.");
    }
  }

  live.on("scenario.created", saved);
  live.on("scenario.updated", saved);
  live.on("scenario.deleted", (message) => {
    const row = document.getElementById("r-" + message.scenario);
    if (!row) return;
    if (row.classList.contains("scenario-form-row")) {
      say(message.by.name + " deleted “" + row.dataset.ref + "” while you edit it.");
      return;
    }
    const tbody = row.closest("tbody");
    const title = row.dataset.ref;
    row.remove();
    refreshEmpty(tbody);
    if (!(live.me && message.by && message.by.id === live.me.id)) say(message.by.name + " deleted “" + title + "”.");
  });
  live.on("risk.updated", (message) => {
    const badge = document.getElementById("risk-status");
    if (badge && message.status) {
      badge.className = "badge status-" + message.status;
      badge.textContent = { draft: "Draft", in_review: "In review", approved: "Approved" }[message.status] || message.status;
    }
  });
  live.on("resume", () => {
    // What changed while the socket was away was not replayed: reload unless a form holds unsaved input.
    if (!document.querySelector(".scenario-form-row")) location.reload();
    else say("The connection came back; reload the page after saving to see changes made meanwhile.");
  });
})();
