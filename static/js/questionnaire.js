/* The supplier's questionnaire (templates/components/questionnaire_page.html): each item's form is saved with
   PATCH to the token API, the progress count follows, and Submit hands the answers over after a confirmation.
   credentials: "omit": the token in the URL is the only credential; no cookie of the app goes with it. */
(function () {
  "use strict";
  var answered = document.getElementById("q-answered");
  var progress = document.getElementById("q-progress");

  function countAnswered() {
    var n = document.querySelectorAll(".q-item.is-answered").length;
    if (answered) answered.textContent = String(n);
    if (progress) progress.value = n;
    return n;
  }

  function showErrors(list, body) {
    var messages = [];
    if (body && typeof body === "object") {
      Object.keys(body).forEach(function (key) {
        var value = body[key];
        (Array.isArray(value) ? value : [value]).forEach(function (m) { messages.push(String(m)); });
      });
    }
    list.innerHTML = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m;
      list.appendChild(li);
    });
    list.hidden = messages.length === 0;
  }

  function gone(state) {
    state.textContent = "This questionnaire no longer takes answers (submitted, expired or withdrawn). Reload the page.";
  }

  document.querySelectorAll("form.q-form").forEach(function (form) {
    var state = form.querySelector(".q-state");
    var errors = form.querySelector(".errorlist");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("input", function () { state.textContent = "Not saved yet"; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var file = form.querySelector("input[type=file]");
      if (!file.files.length) data.delete("file");
      button.disabled = true;
      state.textContent = "Saving…";
      fetch(form.dataset.url, { method: "PATCH", body: data, credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.ok) {
              showErrors(errors, null);
              form.closest(".q-item").classList.add("is-answered");
              var answer = body.answer || {};
              var shown = form.querySelector(".q-file");
              if (answer.file_name) {
                shown.hidden = false;
                shown.querySelector(".q-filename").textContent = answer.file_name;
              }
              file.value = "";
              state.textContent = "Saved";
              countAnswered();
            } else if (response.status === 404) {
              gone(state);
            } else {
              showErrors(errors, body);
              state.textContent = "Not saved";
            }
          });
        })
        .catch(function () { state.textContent = "Not saved: the connection failed. Try again."; })
        .finally(function () { button.disabled = false; });
    });
  });

  var submit = document.getElementById("q-submit");
  if (submit) {
    var submitState = document.getElementById("q-submit-state");
    submit.addEventListener("click", function () {
      var n = countAnswered();
      var unsaved = Array.prototype.some.call(document.querySelectorAll(".q-state"), function (s) {
        return s.textContent === "Not saved yet" || s.textContent === "Not saved";
      });
      var question = "Submit " + n + " of " + submit.dataset.total + " answers? You cannot change them afterwards.";
      if (unsaved) question = "Some changes are not saved and will not be sent. " + question;
      if (!window.confirm(question)) return;
      submit.disabled = true;
      fetch(submit.dataset.url, { method: "POST", credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.ok) {
              window.location.reload();
              return;
            }
            submitState.textContent = response.status === 404
              ? "This questionnaire no longer takes answers."
              : (body.answers || body.detail || ["Not submitted."]).toString();
            submit.disabled = false;
          });
        })
        .catch(function () {
          submitState.textContent = "Not submitted: the connection failed. Try again.";
          submit.disabled = false;
        });
    });
  }
})();
