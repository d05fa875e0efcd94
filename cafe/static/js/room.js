// The room display and the room clock's control page: poll the server's clock and count down
// between polls. The server is the source of truth: each poll says how many seconds are left,
// and the page only subtracts the time elapsed since that answer arrived (never the device's
// own time of day, which may be wrong). Without this script the display refreshes itself every
// few seconds and the control page's buttons post as an ordinary form.
const root = document.querySelector("[data-room]");
const POLL_MS = 5000;

function countdownText(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

function field(name) {
  return root.querySelector(`[data-field="${name}"]`);
}

function setText(name, text) {
  const element = field(name);
  if (element && element.textContent !== text) element.textContent = text;
}

function showTables(tables) {
  const list = field("tables");
  if (!list) return;
  const items = tables.map((table) => {
    const item = document.createElement("li");
    item.className = "cafe-room__table";
    const number = document.createElement("span");
    number.className = "cafe-room__table-number";
    const word = document.createElement("span");
    word.className = "cafe-room__table-word";
    word.textContent = "Table ";
    number.append(word, String(table.number));
    const title = document.createElement("span");
    title.className = "cafe-room__table-title";
    title.textContent = table.title;
    item.append(number, " ", title);
    return item;
  });
  list.replaceChildren(...items);
}

let state = null;
let receivedAt = 0;
let failures = 0;
let fetching = false;

function secondsLeftNow() {
  if (!state || state.seconds_left === null) return null;
  if (!state.is_ticking) return state.seconds_left;
  return state.seconds_left - (performance.now() - receivedAt) / 1000;
}

function tick() {
  const left = secondsLeftNow();
  const countdown = field("countdown");
  if (countdown) {
    countdown.hidden = left === null;
    if (left !== null) setText("countdown", countdownText(left));
  }
  // Time is up here: ask the server at once what comes next (the move, or the end).
  if (state && state.is_ticking && left !== null && left <= 0) poll();
}

function show(next) {
  const tablesChanged = !state || JSON.stringify(state.tables) !== JSON.stringify(next.tables);
  state = next;
  receivedAt = performance.now();
  root.dataset.phase = state.phase;
  setText("heading", state.heading);
  setText("message", state.message);
  setText("phase_label", state.phase_label);
  const tables = field("tables");
  if (tables) {
    if (tablesChanged) showTables(state.tables);
    tables.hidden = !state.show_tables;
  }
  tick();
}

async function poll() {
  if (fetching) return;
  fetching = true;
  try {
    const response = await fetch(root.dataset.stateUrl, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
    });
    if (response.redirected || !response.ok) throw new Error(`HTTP ${response.status}`);
    const next = await response.json();
    failures = 0;
    setText("connection", "");
    // Someone pressed a button (here or on another phone): show the buttons that fit now.
    if (root.dataset.room === "control" && next.version !== root.dataset.version) {
      window.location.reload();
      return;
    }
    show(next);
  } catch {
    failures += 1;
    if (failures >= 2) setText("connection", "Reconnecting…");
  } finally {
    fetching = false;
  }
}

function keepAwake() {
  // A projector laptop should not go to sleep mid-round; not every browser can ask.
  if (!("wakeLock" in navigator)) return;
  const ask = () => navigator.wakeLock.request("screen").catch(() => {});
  ask();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") ask();
  });
}

function offerFullScreen() {
  const button = root.querySelector("[data-action=fullscreen]");
  if (!button || !document.fullscreenEnabled) return;
  const update = () => { button.hidden = Boolean(document.fullscreenElement); };
  button.addEventListener("click", () => document.documentElement.requestFullscreen()
    .catch(() => {}));
  document.addEventListener("fullscreenchange", update);
  update();
}

if (root) {
  poll();
  setInterval(poll, POLL_MS);
  setInterval(tick, 250);
  if (root.dataset.room === "display") {
    keepAwake();
    offerFullScreen();
  }
}
