/* "New assessment" on the list page: go to the chosen site's creation page. */
(function () {
  "use strict";
  document.querySelectorAll(".js-nav-button").forEach((button) => {
    button.addEventListener("click", () => {
      const select = button.closest("form").querySelector(".js-nav-select");
      window.location.href = select.dataset.urlTemplate.replace("SITE", select.value);
    });
  });
})();
