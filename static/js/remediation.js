/* Remediation pages: filters apply as soon as a choice changes; "New finding" goes to the chosen site. */
(function () {
  "use strict";
  document.documentElement.classList.add("js-enabled");
  document.querySelectorAll("select.js-autosubmit").forEach((select) => {
    select.addEventListener("change", () => {
      const form = select.form;
      const page = form.querySelector('input[name="page"]');
      if (page) page.remove();
      form.submit();
    });
  });
  document.querySelectorAll(".js-nav-button").forEach((button) => {
    button.addEventListener("click", () => {
      const select = button.parentElement.querySelector(".js-nav-select");
      window.location.href = select.dataset.urlTemplate.replace("SITE", select.value);
    });
  });
})();
