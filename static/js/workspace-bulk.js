/* Bulk edit in the workspace (decision 0028): a select mode with a checkbox per requirement, "select all
   matching the current filter" (the rows this page shows), and one thing set on all of them through
   POST /api/v1/assessments/<id>/results/bulk/ with every row's version. All or nothing: a 412 names the
   results someone else changed meanwhile, shows their new values, and saves nothing. The rows update in
   place from the answer (and every other open workspace from the "results.updated" live message). */
(function () {
  "use strict";
  const tools = document.getElementById("bulk-tools");
  const bar = document.getElementById("bulk-bar");
  const root = document.getElementById("live-root");
  if (!tools || !bar || !root) return;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const toggle = tools.querySelector('[data-bulk="toggle"]');
  const count = bar.querySelector('[data-role="bulk-count"]');
  const message = bar.querySelector('[data-role="bulk-msg"]');
  const allButton = bar.querySelector('[data-bulk="all"]');
  const action = bar.elements.action;
  const picks = () => Array.from(document.querySelectorAll('article.result [data-role="pick"]'));
  const picked = () => picks().filter((box) => box.checked);
  const rowOf = (box) => box.closest("article.result");

  tools.hidden = false;
  allButton.textContent = "Select all " + picks().length + " matching the current filter";

  function say(text, kind) {
    message.textContent = text;
    message.className = "bulk-msg" + (kind ? " is-" + kind : "");
  }
  function recount() {
    const n = picked().length;
    count.textContent = n + " selected";
    picks().forEach((box) => rowOf(box).classList.toggle("is-picked", box.checked));
  }
  function setMode(on) {
    root.classList.toggle("is-selecting", on);
    bar.hidden = !on;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Done selecting" : "Select results…";
    if (!on) { picks().forEach((box) => { box.checked = false; }); say(""); }
    recount();
  }
  function showAction() {
    bar.querySelectorAll("[data-when]").forEach((el) => { el.hidden = el.dataset.when !== action.value; });
  }

  toggle.addEventListener("click", () => setMode(!root.classList.contains("is-selecting")));
  bar.addEventListener("click", (event) => {
    const which = event.target.dataset && event.target.dataset.bulk;
    if (which === "all" || which === "none") {
      picks().forEach((box) => { box.checked = which === "all"; });
      recount();
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.dataset && event.target.dataset.role === "pick") recount();
  });
  action.addEventListener("change", showAction);
  showAction();

  function whatToSet() {
    if (action.value === "assignee") return { assignee: bar.elements.assignee.value || null };
    if (action.value === "not_applicable") {
      const why = bar.elements.justification.value.trim();
      return why ? { status: "not_applicable", justification: why } : null;
    }
    return { status: bar.elements.status.value };
  }
  function refOf(id) {
    const row = document.getElementById("r-" + id);
    return row ? row.dataset.ref : id;
  }
  function apply(results, by) {
    const workspace = window.ZonewiseWorkspace;
    if (workspace) results.forEach((result) => workspace.applyLive(result, by));
  }

  bar.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rows = picked().map(rowOf);
    if (!rows.length) { say("Select at least one requirement first.", "error"); return; }
    const set = whatToSet();
    if (!set) { say("Write the justification: why none of the selected requirements applies.", "error"); bar.elements.justification.focus(); return; }
    document.querySelectorAll("article.result.bulk-stale").forEach((row) => row.classList.remove("bulk-stale"));
    say("Saving " + rows.length + "…", "saving");
    let response;
    try {
      response = await fetch(tools.dataset.bulkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ results: rows.map((row) => ({ id: row.dataset.id, version: Number(row.dataset.version) })), set }),
      });
    } catch (e) {
      say("Not saved: the server cannot be reached. Nothing was changed; try again.", "error");
      return;
    }
    const data = await response.json().catch(() => ({}));
    const me = window.ZonewiseLive && window.ZonewiseLive.me;
    if (response.ok) {
      apply(data.results || [], me);
      say("Saved on " + (data.results || []).length + " requirement" + ((data.results || []).length === 1 ? "" : "s") + ".", "ok");
    } else if (response.status === 412) {
      const stale = data.stale || [];
      apply(data.current || [], null);
      stale.forEach((s) => { const row = document.getElementById("r-" + s.id); if (row) row.classList.add("bulk-stale"); });
      say("Nothing was saved: " + stale.length + " of the selected requirements changed meanwhile (" +
        stale.map((s) => refOf(s.id) + " now v" + s.version).join(", ") +
        "). Their new values are shown and marked; check them, then apply again.", "error");
    } else if (response.status === 400) {
      const lines = [];
      Object.entries(data).forEach(([field, messages]) => {
        const flat = typeof messages === "object" && !Array.isArray(messages) ? Object.values(messages).flat() : [].concat(messages);
        lines.push(flat.join(" "));
      });
      say("Nothing was saved: " + lines.join(" "), "error");
    } else {
      say("Nothing was saved: " + (data.detail || response.statusText || "the server answered " + response.status) + ".", "error");
    }
  });
})();
