/* The assessment's WebSocket: presence, and changes made by others (docs/live-protocol.md).
   Exposes window.ZonewiseLive = { on(type, fn), send(message), me, seq }. Reconnects with back-off.

   Numbered pages (the root carries data-live-seq, decision 0037): every change carries `seq`; the page
   applies them in order, ignores what it already has, and when it sees a gap, reconnects, or comes back
   from the background it asks the server what changed since its last number (one request at a time;
   messages that arrive meanwhile wait), emits "changes" with the results and replays the other messages
   through their handlers. When the server says that is too old (410), or cannot be asked, it emits
   "resume": read everything again. Pages without numbers emit "resume" after every reconnect. */
(function () {
  "use strict";
  const root = document.getElementById("live-root");
  if (!root) return;
  const handlers = {};
  let socket = null;
  let retry = 0;
  let beat = null;
  let away = false; // the socket closed since the last hello: messages may have been missed
  const numbered = root.dataset.liveSeq !== undefined && root.dataset.liveSeq !== "";
  let last = numbered ? Number(root.dataset.liveSeq) : 0; // the last change applied here
  let fetching = false; // a catch-up request is out: numbered messages wait in `waiting`
  let again = false; // asked to catch up while one was out: ask once more after it
  let waiting = [];
  const live = {
    me: null,
    people: [],
    get seq() { return last; },
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    send(message) { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message)); },
  };
  window.ZonewiseLive = live;

  function emit(type, message) { (handlers[type] || []).forEach((fn) => fn(message)); }

  // A change from the socket: in order it is applied, already seen it is dropped, after a gap it waits
  // GAP_GRACE_MS for what is missing before asking for it. Two web processes publish independently after
  // their commits, so frames often arrive a little out of order; asking at once made most catch-ups
  // needless (decision 0038's figures).
  const GAP_GRACE_MS = 200;
  let grace = null;
  function deliver(message) {
    if (!numbered || typeof message.seq !== "number") { emit(message.type, message); return; }
    if (fetching) { waiting.push(message); return; }
    if (message.seq <= last) return;
    if (message.seq === last + 1) { last = message.seq; emit(message.type, message); drain(); return; }
    waiting.push(message);
    if (grace === null) {
      grace = setTimeout(() => { grace = null; if (waiting.length) catchUp(); }, GAP_GRACE_MS);
    }
  }

  // Apply the held messages that now follow in order; stop waiting when none is held any more.
  function drain() {
    waiting.sort((a, b) => a.seq - b.seq);
    while (waiting.length && waiting[0].seq <= last + 1) {
      const next = waiting.shift();
      if (next.seq === last + 1) { last = next.seq; emit(next.type, next); }
    }
    if (!waiting.length && grace !== null) { clearTimeout(grace); grace = null; }
  }

  async function catchUp() {
    if (!numbered) { emit("resume", {}); return; }
    if (fetching) { again = true; return; }
    if (grace !== null) { clearTimeout(grace); grace = null; }
    fetching = true;
    let answer = null;
    let ok = false;
    try {
      const url = "/api/v1/assessments/" + root.dataset.assessment + "/changes/?since=" + last;
      // Never wait for ever: the messages held meanwhile would wait with it.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 15000);
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal });
      answer = await response.json();
      clearTimeout(timer);
      ok = response.ok;
    } catch (e) {
      // Unreachable or not JSON: read everything again (that may fail too; the next hello asks again).
    }
    const reread = !ok;
    if (ok) {
      if (answer.results.length) emit("changes", { results: answer.results, last: answer.last });
      answer.messages.forEach((m) => emit(m.type, m));
      last = Math.max(last, answer.last);
    } else if (answer && typeof answer.last === "number") {
      last = answer.last; // 410: too old or too much; read everything again from the server's number on
    }
    fetching = false;
    const held = waiting.sort((a, b) => a.seq - b.seq);
    waiting = [];
    if (reread) {
      emit("resume", {});
      // What came meanwhile is newer than that read's start: apply it as it stands.
      held.forEach((m) => { if (m.seq > last) { last = m.seq; emit(m.type, m); } });
    } else {
      held.forEach(deliver);
    }
    if (again) { again = false; catchUp(); }
  }
  if (numbered) {
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") catchUp(); });
  }

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
      if (message.type === "hello") {
        emit("hello", message);
        const behind = numbered && typeof message.seq === "number" && message.seq !== last;
        if (away || behind) catchUp();
        away = false;
        return;
      }
      deliver(message);
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
