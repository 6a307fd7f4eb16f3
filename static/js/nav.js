/* Page furniture for narrow screens, on every page (loaded by base.html).
   1. The main navigation folds behind a "Menu" button (hidden until this script runs) that opens and closes
      it; without JavaScript the button stays hidden and the links wrap (see .topnav in app.css).
   2. A table a template did not put in a .table-wrap gets one, here and in what htmx swaps in, so it
      scrolls in its own box instead of widening the page (app.css has a cruder fallback without JS). */
(function () {
  "use strict";

  const button = document.querySelector(".menu-toggle");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (menu) {
    const header = button.closest(".topbar");
    header.classList.add("has-menu");
    button.hidden = false;
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
    };
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  const wrapTables = (root) => {
    const tables = root.matches && root.matches("table.table") ? [root] : root.querySelectorAll("table.table");
    tables.forEach((table) => {
      if (table.parentElement.closest(".table-wrap")) return;
      const wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.before(wrap);
      wrap.append(table);
    });
  };
  wrapTables(document);
  document.addEventListener("htmx:load", (event) => wrapTables(event.target));
})();
