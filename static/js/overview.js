/* Overview: the tiles (assessed x of y, zones and conduits at target), the heat-map and the counts by
   status follow changes live: on a change, read this page again and swap the parts marked data-live-part.
   Also: confirm sign-off. */
(function () {
  "use strict";
  const root = document.getElementById("live-root");
  document.querySelectorAll(".js-confirm").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  if (!root || !window.ZonewiseLive) return;
  let timer = null;
  let running = false;
  let again = false;

  async function refresh() {
    // One read at a time; changes that arrive meanwhile are folded into one more read.
    if (running) { again = true; return; }
    running = true;
    try {
      const response = await fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      document.querySelectorAll("[data-live-part][id]").forEach((part) => {
        const next = fresh.getElementById(part.id);
        if (next) part.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)));
      });
      if (window.htmx) document.querySelectorAll("[data-live-part][id]").forEach((part) => window.htmx.process(part));
    } catch (e) {
      // Unreachable for now: the socket's "resume" reads again.
    } finally {
      running = false;
      if (again) { again = false; schedule(); }
    }
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }
  // "changes": caught up after missed messages (decision 0037); "resume": too old to catch up, read again.
  ["result.updated", "results.updated", "changes", "assessment.resynced", "resume"].forEach((t) => window.ZonewiseLive.on(t, schedule));
  window.ZonewiseLive.on("assessment.updated", () => window.location.reload());
})();
