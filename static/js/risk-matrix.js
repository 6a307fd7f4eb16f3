/* The risk matrix editor (templates/risk/matrix.html): each cell's colour follows the rank chosen in it. */
(function () {
  "use strict";
  const form = document.getElementById("matrix-form");
  if (!form) return;
  form.addEventListener("change", (event) => {
    const cell = event.target.closest("[data-rank-cell]");
    if (!cell) return;
    cell.className = cell.className.replace(/\brank-\d\b/, "") + " rank-" + event.target.value;
    cell.className = cell.className.trim();
  });
})();
