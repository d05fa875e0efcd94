// At the tables: the host's page, where intervention points save themselves as the host types
// and survive a dropped connection; and the organisers' "Copy link" buttons.
//
// Without this script the host's page still works: the form posts, "Change" is a link and
// "Remove" a button. With it, every change is first written to this phone (localStorage), then
// sent with the entry's id and a revision that goes up with each change. The server keeps one
// entry per id and ignores a revision older than the one it has, so sending twice (a retry, a
// reload) never doubles an entry and a late save never undoes a newer one. An entry leaves the
// phone's queue only once the server has that revision or a newer one. Offline, the queue waits:
// it is sent when the browser says the connection is back, and retried every few seconds.

const SAVE_DELAY_MS = 800;
const RETRY_MS = 5000;

const form = document.getElementById("point-form");
if (form) {
  setUpHostPage(form);
}
setUpCopyButtons();

function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function joinList(items) {
  if (items.length < 2) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function setUpHostPage(form) {
  const data = JSON.parse(document.getElementById("capture-data").textContent);
  const status = document.getElementById("capture-status");
  const template = document.getElementById("point-template");
  const tokenInput = form.querySelector("[data-csrf-token]");
  const heading = form.querySelector("[data-form-heading]");
  const saveButton = form.querySelector("[data-save]");
  const agencyRows = form.querySelector("[data-agencies]");
  const addAgency = form.querySelector("[data-add-agency]");
  const undoBox = form.querySelector("[data-undo]");
  const undoButton = form.querySelector("[data-undo-button]");
  const lists = [...document.querySelectorAll("[data-round-list]")];
  const rounds = Number(form.dataset.rounds);
  const storageKey = `cafe-capture-table-${form.dataset.table}`;

  const points = new Map(); // client id -> the newest version this page knows
  const onServer = new Map(); // client id -> the revision the server has confirmed
  const problems = new Map(); // client id -> why the server would not save it
  let queue = {}; // client id -> entry the server has not confirmed yet
  let editingId = form.elements.client_id.value;
  let timer = null;
  let retryTimer = null;
  let sending = false;
  let sendAgain = false;
  let offline = false;
  let stopped = null; // the server's message when the link no longer works
  let savedAt = null;
  let removed = null;

  // --- This phone's copy ----------------------------------------------------------------

  function readStore() {
    try {
      const stored = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (stored && stored.queue && typeof stored.queue === "object") return stored;
    } catch {
      // Unreadable: start afresh; the server has everything it confirmed.
    }
    return { queue: {}, editing: null };
  }

  function writeStore() {
    try {
      if (Object.keys(queue).length) {
        localStorage.setItem(storageKey, JSON.stringify({ queue, editing: editingId }));
      } else {
        localStorage.removeItem(storageKey);
      }
    } catch {
      // Storage full or disabled: the server save still happens.
    }
  }

  // --- The form -------------------------------------------------------------------------

  const agencyInputs = () => [...agencyRows.querySelectorAll('input[name="agencies"]')];
  const checked = (name) => {
    const input = form.querySelector(`input[name="${name}"]:checked`);
    return input ? input.value : "";
  };

  function readForm() {
    const fields = form.elements;
    return {
      client_id: editingId,
      round: Number(fields.round.value) || 1,
      life_stage: fields.life_stage.value,
      what_happened: fields.what_happened.value,
      agencies: agencyInputs()
        .map((input) => input.value.trim())
        .filter(Boolean),
      intervention: fields.intervention.value,
      barrier: checked("barrier"),
      strength: Number(checked("strength")) || null,
      deleted: false,
    };
  }

  function addAgencyRow(focus) {
    const rows = agencyRows.querySelectorAll(".cafe-agency");
    const copy = rows[rows.length - 1].cloneNode(true);
    const number = rows.length + 1;
    const input = copy.querySelector("input");
    const label = copy.querySelector("label");
    input.id = `agencies-${number}`;
    input.value = "";
    label.htmlFor = input.id;
    label.textContent = `Agency ${number}`;
    agencyRows.append(copy);
    if (focus) input.focus();
  }

  function fillForm(entry) {
    const fields = form.elements;
    editingId = entry.client_id;
    fields.client_id.value = entry.client_id;
    fields.round.value = String(entry.round);
    fields.life_stage.value = entry.life_stage || "";
    fields.what_happened.value = entry.what_happened || "";
    fields.intervention.value = entry.intervention || "";
    const agencies = entry.agencies || [];
    while (agencyInputs().length < Math.max(agencies.length + 1, 3)) addAgencyRow(false);
    agencyInputs().forEach((input, index) => {
      input.value = agencies[index] || "";
    });
    form.querySelectorAll('input[name="barrier"]').forEach((input) => {
      input.checked = input.value === entry.barrier;
    });
    form.querySelectorAll('input[name="strength"]').forEach((input) => {
      input.checked = input.value === String(entry.strength);
    });
  }

  function showMode(changing) {
    heading.textContent = changing ? "Change the intervention point" : "Add an intervention point";
    saveButton.textContent = changing ? "Save changes" : "Save intervention point";
    const other = form.querySelector("[data-new-point]");
    if (other) other.hidden = !changing;
  }

  function clearErrors() {
    document.querySelectorAll(".govuk-error-summary").forEach((el) => el.remove());
    form.querySelectorAll(".govuk-error-message").forEach((el) => el.remove());
    form.querySelectorAll(".govuk-form-group--error").forEach((el) => {
      el.classList.remove("govuk-form-group--error");
    });
    form.querySelectorAll(".govuk-input--error, .govuk-textarea--error").forEach((el) => {
      el.classList.remove("govuk-input--error", "govuk-textarea--error");
    });
  }

  function startNew() {
    const round = form.elements.round.value;
    fillForm({ client_id: newId(), round, agencies: [] });
    form.elements.round.value = round;
    showMode(false);
    clearErrors();
    writeStore();
    render();
  }

  // --- Entries --------------------------------------------------------------------------

  function comparable(entry) {
    return JSON.stringify([
      Number(entry.round),
      (entry.life_stage || "").trim(),
      (entry.what_happened || "").trim(),
      entry.agencies || [],
      (entry.intervention || "").trim(),
      entry.barrier || "",
      entry.strength || null,
      Boolean(entry.deleted),
    ]);
  }

  function isBlank(entry) {
    return (
      ![entry.life_stage, entry.what_happened, entry.intervention].some((v) => (v || "").trim()) &&
      !(entry.agencies || []).length &&
      !entry.barrier &&
      !entry.strength
    );
  }

  function missing(entry) {
    const needed = [];
    if (!(entry.what_happened || "").trim()) needed.push("what happened");
    if (!entry.barrier) needed.push("the barrier");
    if (!entry.strength) needed.push("how strongly the table felt it");
    return needed;
  }

  const isReady = (entry) => entry.deleted || missing(entry).length === 0;

  function remember(entry) {
    points.set(entry.client_id, entry);
    queue[entry.client_id] = entry;
    problems.delete(entry.client_id);
    writeStore();
    render();
    summarise();
  }

  function forget(id) {
    points.delete(id);
    delete queue[id];
    problems.delete(id);
    writeStore();
    render();
  }

  function changed() {
    const entry = readForm();
    const known = points.get(entry.client_id);
    if (known && comparable(known) === comparable(entry)) return;
    if (isBlank(entry)) {
      // Typed and rubbed out again before it was ever saved: nothing to keep.
      if (known && !onServer.has(entry.client_id)) forget(entry.client_id);
      if (!known || !onServer.has(entry.client_id)) return;
    }
    entry.revision = (known ? known.revision : 0) + 1;
    remember(entry);
    schedule(SAVE_DELAY_MS);
  }

  // --- Sending --------------------------------------------------------------------------

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, RETRY_MS);
  }

  function post(batch) {
    return fetch(form.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": tokenInput.value,
      },
      body: JSON.stringify({ points: batch }),
    });
  }

  async function freshToken() {
    const response = await fetch(form.dataset.csrfUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const body = await response.json();
    document.querySelectorAll('input[name="csrf_token"]').forEach((input) => {
      input.value = body.csrf_token;
    });
  }

  function applyResult(result) {
    const id = result.client_id;
    const local = queue[id];
    if (result.status === "invalid") {
      problems.set(id, Object.values(result.errors || {}).join(". "));
      return;
    }
    const server = result.point;
    onServer.set(id, server.revision);
    if (local && local.revision > server.revision) return; // changed again since: goes next
    delete queue[id];
    problems.delete(id);
    if (result.status === "newer" || !local) {
      // Saved elsewhere more recently (another phone, the form): the newest wins.
      points.set(id, server);
      if (id === editingId && !form.contains(document.activeElement)) fillForm(server);
    }
  }

  async function send() {
    clearTimeout(timer);
    if (stopped) return;
    if (sending) {
      sendAgain = true;
      return;
    }
    const batch = Object.values(queue).filter(isReady);
    if (!batch.length) {
      summarise();
      return;
    }
    sending = true;
    sendAgain = false;
    let succeeded = false;
    say("Saving…");
    try {
      let response = await post(batch);
      let body = await response.json();
      if (body.error === "csrf") {
        await freshToken();
        response = await post(batch);
        body = await response.json();
      }
      offline = false;
      if (response.ok && Array.isArray(body.results)) {
        body.results.forEach(applyResult);
        clearTimeout(retryTimer);
        savedAt = new Date();
        succeeded = true;
      } else if (body.error === "link") {
        stopped = `${body.message} Your points are kept on this phone.`;
      } else {
        problems.set(batch[0].client_id, body.message || "The server could not save it");
        retryLater();
      }
    } catch {
      offline = true;
      retryLater();
    } finally {
      sending = false;
      writeStore();
      render();
      summarise();
      // Changed while this save was on its way: send the newer version. After a failure the
      // retry timer (or the browser saying it is online again) sends it instead.
      const newer = Object.values(queue).some((e) => isReady(e) && !problems.has(e.client_id));
      if (succeeded && (sendAgain || newer)) schedule(sendAgain ? 0 : SAVE_DELAY_MS);
    }
  }

  // --- Showing where things stand -------------------------------------------------------

  function say(text) {
    status.textContent = text;
  }

  function summarise() {
    if (stopped) {
      say(stopped);
      return;
    }
    const waiting = Object.values(queue);
    const unsent = waiting.filter(isReady).length;
    const current = queue[editingId];
    if (offline && unsent) {
      say(
        `You seem to be offline. ${plural(unsent, "point")} ${unsent === 1 ? "is" : "are"} ` +
          "kept on this phone and will be saved when the connection is back.",
      );
    } else if (problems.size) {
      say(`Not saved: ${[...problems.values()][0]}. Your points are kept on this phone.`);
    } else if (current && !isReady(current)) {
      say(`Kept on this phone. To save this point, add ${joinList(missing(current))}.`);
    } else if (unsent || sending) {
      say("Saving…");
    } else if (savedAt) {
      const time = savedAt.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      say(`All points saved at ${time}.`);
    }
  }

  function cardStatus(entry) {
    const id = entry.client_id;
    if (!(id in queue)) return "";
    if (problems.has(id)) return `Not saved: ${problems.get(id)}`;
    if (!isReady(entry)) return `Draft kept on this phone: add ${joinList(missing(entry))}`;
    return offline ? "Not saved yet: kept on this phone" : "Saving…";
  }

  function card(entry) {
    const node = template.content.firstElementChild.cloneNode(true);
    const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
    node.dataset.point = entry.client_id;
    node.id = `point-${entry.client_id}`;
    slot("title").textContent = (entry.life_stage || "").trim() || "Intervention point";
    slot("what_happened").textContent = (entry.what_happened || "").trim();
    slot("agencies").textContent = (entry.agencies || []).join(", ") || "None named";
    slot("intervention").textContent = (entry.intervention || "").trim() || "Not given";
    slot("barrier").textContent = data.barriers[entry.barrier] || "Not chosen yet";
    slot("strength").textContent = entry.strength
      ? `${entry.strength}: ${data.strengths[entry.strength]}`
      : "Not chosen yet";
    slot("client_id").value = entry.client_id;
    const note = cardStatus(entry);
    slot("status").textContent = note;
    node.classList.toggle("cafe-point--unsaved", Boolean(note));
    node.classList.toggle("cafe-point--editing", entry.client_id === editingId);
    const link = node.querySelector("[data-change]");
    const url = new URL(form.action, window.location.href);
    url.searchParams.delete("round");
    url.searchParams.set("edit", entry.client_id);
    link.href = `${url.pathname}${url.search}#point-form`;
    return node;
  }

  function render() {
    const byRound = new Map(lists.map((list) => [Number(list.dataset.roundList), []]));
    for (const entry of points.values()) {
      if (entry.deleted) continue;
      const round = byRound.has(Number(entry.round)) ? Number(entry.round) : rounds;
      byRound.get(round).push(entry);
    }
    for (const list of lists) {
      const round = Number(list.dataset.roundList);
      const entries = byRound.get(round);
      list.replaceChildren(...entries.map(card));
      const count = document.querySelector(`[data-round-count="${round}"]`);
      if (count) count.textContent = `(${plural(entries.length, "point")})`;
      const empty = document.querySelector(`[data-round-empty="${round}"]`);
      if (empty) empty.hidden = entries.length > 0;
    }
  }

  // --- What the host does ---------------------------------------------------------------

  function edit(id) {
    const entry = points.get(id);
    if (!entry) return;
    send();
    fillForm(entry);
    showMode(true);
    clearErrors();
    writeStore();
    render();
    summarise();
    form.scrollIntoView({ block: "start" });
    form.elements.life_stage.focus({ preventScroll: true });
  }

  function remove(id) {
    const entry = points.get(id);
    if (!entry) return;
    removed = { ...entry };
    if (!onServer.has(id) && !isReady(entry)) {
      forget(id); // a draft that never left this phone
    } else {
      remember({ ...entry, deleted: true, revision: entry.revision + 1 });
      schedule(0);
    }
    if (id === editingId) startNew();
    undoBox.hidden = false;
    say("Intervention point removed.");
  }

  function undo() {
    if (!removed) return;
    const known = points.get(removed.client_id);
    const revision = Math.max(removed.revision, known ? known.revision : 0) + 1;
    remember({ ...removed, deleted: false, revision });
    removed = null;
    undoBox.hidden = true;
    schedule(0);
    say("Intervention point restored.");
  }

  function focusFirstMissing(entry) {
    const need = missing(entry)[0];
    if (need === "what happened") form.elements.what_happened.focus();
    else if (need === "the barrier") form.querySelector('input[name="barrier"]').focus();
    else form.querySelector('input[name="strength"]').focus();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", () => {
    if (Object.keys(queue).length) schedule(0);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
    const entry = points.get(editingId);
    if (!entry || isBlank(entry)) {
      say("Type the intervention point first.");
      form.elements.what_happened.focus();
      return;
    }
    if (!isReady(entry)) {
      say(`Kept on this phone. To save this point, add ${joinList(missing(entry))}.`);
      focusFirstMissing(entry);
      return;
    }
    schedule(0);
    startNew();
    summarise();
    form.elements.life_stage.focus();
  });
  addAgency.addEventListener("click", () => addAgencyRow(true));
  undoButton.addEventListener("click", undo);
  const other = form.querySelector("[data-new-point]");
  if (other) {
    other.addEventListener("click", (event) => {
      event.preventDefault();
      startNew();
      summarise();
      form.elements.life_stage.focus();
    });
  }
  document.addEventListener("click", (event) => {
    const point = event.target.closest("[data-point]");
    if (!point || !point.dataset.point) return;
    if (event.target.closest("[data-change]")) {
      event.preventDefault();
      edit(point.dataset.point);
    } else if (event.target.closest("[data-remove]")) {
      event.preventDefault();
      remove(point.dataset.point);
    }
  });
  window.addEventListener("online", () => {
    offline = false;
    send();
  });

  // --- Starting: what the server has, and what this phone still holds -------------------

  for (const point of data.points) {
    points.set(point.client_id, point);
    onServer.set(point.client_id, point.revision);
  }
  const stored = readStore();
  for (const [id, entry] of Object.entries(stored.queue)) {
    const server = points.get(id);
    if (!server || entry.revision > server.revision) {
      queue[id] = entry;
      points.set(id, entry);
    }
  }
  const reshown = "unsaved" in form.dataset; // the server showed a post back (expired session)
  if (form.dataset.editing === "yes" && queue[editingId]) {
    fillForm(queue[editingId]); // this phone has newer changes than the page shows
  } else if (!reshown && form.dataset.editing !== "yes" && stored.editing in queue) {
    const draft = queue[stored.editing];
    if (!draft.deleted) {
      fillForm(draft); // carry on with the point that was being typed
      showMode(onServer.has(draft.client_id));
    }
  }
  addAgency.hidden = false;
  writeStore();
  render();
  if (reshown) changed();
  if (Object.keys(queue).length) {
    say("Points kept on this phone are being saved…");
    send();
  }
}

// --- Organisers: copying a host's link ----------------------------------------------------

function setUpCopyButtons() {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const input = document.getElementById(button.dataset.copy);
    const note = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand("copy");
      }
      if (note) note.textContent = "Link copied.";
    });
  });
}
