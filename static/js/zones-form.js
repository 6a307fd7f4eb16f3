/* The zones edit pages.
   SL vectors: when the compact box ({2,2,1,1,3,1,2}) is filled, it is what the server reads, so the seven
   per-FR boxes follow it and are locked; emptied, they are editable again.
   Conduits: the "flows from / to" pickers show only for a one-way conduit and offer only the ticked zones. */
(function () {
  "use strict";

  // The levels of a compact vector ("{2,2,1,1,3,1,2}", braces and commas optional), or null.
  const parse = (text) => {
    const parts = text.replace(/[{}]/g, " ").trim().split(/[\s,]+/);
    return parts.length === 7 && parts.every((p) => /^[0-4]$/.test(p)) ? parts : null;
  };

  document.querySelectorAll(".js-sl-field").forEach((field) => {
    const compact = field.querySelector(".js-sl-compact");
    const boxes = Array.from(field.querySelectorAll("input[data-fr]"));
    const sync = () => {
      const filled = compact.value.trim() !== "";
      const levels = parse(compact.value);
      boxes.forEach((box, i) => {
        box.disabled = filled;
        if (levels) box.value = levels[i];
      });
      field.classList.toggle("sl-compact-wins", filled);
    };
    compact.addEventListener("input", sync);
    sync();
  });

  const direction = document.getElementById("id_direction");
  if (!direction) return;
  const flow = ["source_zone", "destination_zone"].map((name) => document.querySelector(".field-" + name)).filter(Boolean);
  const ticks = Array.from(document.querySelectorAll('.field-zones input[type="checkbox"]'));
  const update = () => {
    const oneWay = direction.value === "unidirectional";
    const joined = new Set(ticks.filter((t) => t.checked).map((t) => t.value));
    flow.forEach((wrapper) => {
      wrapper.hidden = !oneWay;
      const select = wrapper.querySelector("select");
      Array.from(select.options).forEach((option) => {
        option.hidden = option.value !== "" && joined.size > 0 && !joined.has(option.value);
      });
      if (select.selectedOptions.length && select.selectedOptions[0].hidden) select.value = "";
    });
  };
  direction.addEventListener("change", update);
  ticks.forEach((tick) => tick.addEventListener("change", update));
  update();
})();
