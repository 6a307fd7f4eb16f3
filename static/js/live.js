/* The assessment's WebSocket: presence, and changes made by others (docs/live-protocol.md).
   Exposes window.ZonewiseLive = { on(type, fn), send(message), me }. Reconnects with back-off; after a
   reconnect it emits "resume", since what was sent while the socket was away is not replayed. */
(function () {
  "use strict";
  const root = document.getElementById("live-root");
  if (!root) return;
  const handlers = {};
  let socket = null;
  let retry = 0;
  let beat = null;
  let away = false; // the socket closed since the last hello: messages may have been missed
  const live = {
    me: null,
    people: [],
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    send(message) { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message)); },
  };
  window.ZonewiseLive = live;

  function emit(type, message) { (handlers[type] || []).forEach((fn) => fn(message)); }

  function renderPresence(people) {
    const box = document.getElementById("presence");
    if (!box) return;
    const others = people.filter((p) => !live.me || p.id !== live.me.id);
    box.hidden = false;
    box.replaceChildren();
    const label = document.createElement("span");
    label.className = "muted";
    label.textContent = others.length ? "Here now:" : "Only you are here";
    box.appendChild(label);
    others.forEach((p) => {
      const chip = document.createElement("span");
      chip.className = "person";
      chip.dataset.person = p.id;
      chip.textContent = p.name;
      if (p.editing) {
        const row = document.getElementById("r-" + p.editing);
        const ref = row ? row.dataset.ref : "a requirement";
        chip.title = "Editing " + ref;
        chip.classList.add("is-editing");
      }
      box.appendChild(chip);
    });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.ws);
    socket.addEventListener("open", () => {
      retry = 0;
      root.classList.remove("is-offline");
      clearInterval(beat);
      beat = setInterval(() => live.send({ type: "ping" }), 20000);
      emit("open", {});
    });
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "hello") { live.me = message.you; }
      if (message.type === "hello" || message.type === "presence") {
        live.people = message.people || [];
        renderPresence(live.people);
      }
      emit(message.type, message);
      if (message.type === "hello" && away) {
        away = false;
        emit("resume", {});
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(beat);
      root.classList.add("is-offline");
      if (event.code === 4403) return; // not allowed on this assessment (any more): do not knock again
      if (live.me) away = true;
      emit("close", {});
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * 2 ** retry);
    });
  }
  connect();
})();
