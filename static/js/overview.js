/* Overview: refresh the heat-map when anyone changes a result; confirm sign-off. */
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
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      window.htmx.ajax("GET", root.dataset.heatmapUrl, { target: "#heatmap", swap: "innerHTML" });
    }, 150);
  }
  ["result.updated", "assessment.resynced", "resume"].forEach((t) => window.ZonewiseLive.on(t, refresh));
  window.ZonewiseLive.on("assessment.updated", () => window.location.reload());
})();
