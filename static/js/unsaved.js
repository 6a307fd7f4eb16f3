/* Server-rendered edit forms (templates/core/form.html): once something is typed or chosen, leaving the
   page asks first; saving (submitting) does not. A form answered with errors (a refused value, someone
   else's save) still holds input that is not saved, so it starts out marked. */
(function () {
  "use strict";
  const forms = Array.from(document.querySelectorAll("form.form-card"));
  if (!forms.length) return;
  let leavingBySubmit = false;
  forms.forEach((form) => {
    if (form.querySelector(".form-errors, .errorlist, .conflict-box")) form.classList.add("is-dirty");
    const mark = () => form.classList.add("is-dirty");
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", () => { leavingBySubmit = true; });
  });
  window.addEventListener("beforeunload", (event) => {
    if (leavingBySubmit || !forms.some((form) => form.classList.contains("is-dirty"))) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need it set to ask
  });
})();
