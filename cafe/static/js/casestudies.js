// The case-study writing page: timeline rows added and removed in place, and drafts that save
// themselves. Without this script the page still works: "Add another life event", "Remove" and
// "Save draft" are ordinary form buttons.
//
// Saving never loses text: every change is first copied to this device (localStorage), then
// posted a few seconds after typing stops and whenever a field loses focus. The copy is removed
// only once the server has stored that exact text. Offline, the copy waits and is sent when the
// connection returns; if the session expired, a fresh CSRF token is fetched and the save retried.

const SAVE_DELAY_MS = 2500;
const RETRY_MS = 15000;

const form = document.getElementById("story-form");
if (form) {
  setUp(form);
}

function setUp(form) {
  const status = document.getElementById("autosave-status");
  const findings = document.getElementById("identifying-details");
  const ready = document.getElementById("ready-to-submit");
  const rows = form.querySelector("[data-entries]");
  const template = document.getElementById("entry-template");
  const tokenInput = form.querySelector("[data-csrf-token]");
  const storageKey = `cafe-case-study-${form.dataset.caseStudy}`;
  let timer = null;
  let saving = false;
  let pending = false; // changes not yet sent to the server
  let edits = 0; // bumps on every change, to know whether a save covered the latest text
  let findingsStale = false;

  function say(text) {
    status.textContent = text;
  }

  function fields() {
    return [...new FormData(form).entries()].filter(([name]) => name !== "csrf_token");
  }

  function remember() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ fields: fields(), at: Date.now() }));
    } catch {
      // Storage full or disabled: the server save still happens.
    }
  }

  function forget() {
    try {
      localStorage.removeItem(storageKey);
    } catch {
      // Nothing to remove.
    }
  }

  function changed() {
    edits += 1;
    pending = true;
    remember();
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  }

  // --- Timeline rows ---------------------------------------------------------------------

  function renumber() {
    rows.querySelectorAll("[data-entry]").forEach((row, index) => {
      row.querySelectorAll("[data-entry-number]").forEach((el) => {
        el.textContent = String(index + 1);
      });
      row.querySelectorAll("[data-part]").forEach((input) => {
        const label = row.querySelector(`label[for="${input.id}"]`);
        input.id = `entries-${index}-${input.dataset.part}`;
        if (label) label.htmlFor = input.id;
      });
      const remove = row.querySelector("[data-remove-entry]");
      if (remove) remove.value = String(index);
    });
  }

  function addRow() {
    rows.append(template.content.cloneNode(true));
    renumber();
    const added = rows.lastElementChild;
    added.querySelector("[data-part]").focus();
    return added;
  }

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-entry]");
    const remove = event.target.closest("[data-remove-entry]");
    if (add) {
      event.preventDefault();
      addRow();
    } else if (remove) {
      event.preventDefault();
      remove.closest("[data-entry]").remove();
      if (!rows.querySelector("[data-entry]")) addRow();
      renumber();
      say("Life event removed.");
      changed();
    }
  });

  // --- Saving ----------------------------------------------------------------------------

  function post(body) {
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenInput.value, Accept: "application/json" },
    });
  }

  async function freshToken() {
    const response = await fetch(form.dataset.csrfUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const data = await response.json();
    tokenInput.value = data.csrf_token;
    document.querySelectorAll('input[name="csrf_token"]').forEach((input) => {
      input.value = data.csrf_token; // the decision forms need it too
    });
  }

  function savedAt(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function userIsIn(panel) {
    return (
      panel.contains(document.activeElement) ||
      [...panel.querySelectorAll("textarea")].some((area) => area.value.trim())
    );
  }

  function showChecks(data) {
    // Never replace the panel under someone typing a reason in it.
    if (userIsIn(findings)) {
      findingsStale = true;
    } else {
      findings.innerHTML = data.findings_html;
      findingsStale = false;
    }
    ready.innerHTML = data.ready_html;
  }

  async function save() {
    clearTimeout(timer);
    if (!pending) return;
    if (saving) {
      timer = setTimeout(save, SAVE_DELAY_MS);
      return;
    }
    saving = true;
    const covers = edits;
    say("Saving…");
    try {
      let response = await post(new URLSearchParams(new FormData(form)));
      let data = await response.json();
      if (data.error === "csrf") {
        await freshToken();
        response = await post(new URLSearchParams(new FormData(form)));
        data = await response.json();
      }
      if (response.ok && data.saved) {
        if (edits === covers) {
          pending = false;
          forget();
        }
        say(`Saved at ${savedAt(data.saved_at)}`);
        showChecks(data);
      } else if (data.error === "locked" || data.error === "link") {
        say(`Not saved: ${data.message}`);
      } else {
        say(`Not saved: ${data.message} Your text is kept on this device.`);
      }
    } catch {
      say(
        "Not saved yet: you seem to be offline. Your changes are kept on this device and " +
          "will be saved when the connection is back.",
      );
      timer = setTimeout(save, RETRY_MS);
    } finally {
      saving = false;
      if (pending && edits !== covers) timer = setTimeout(save, SAVE_DELAY_MS);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("focusout", () => {
    if (pending) save();
  });
  window.addEventListener("online", () => {
    if (pending) save();
  });
  findings.addEventListener("focusout", () => {
    if (findingsStale && !userIsIn(findings)) {
      pending = true;
      save();
    }
  });

  // --- Text left unsaved last time -------------------------------------------------------

  function restore(saved) {
    const wanted = saved.fields.filter(([name]) => name === "entries-stage").length;
    let present = rows.querySelectorAll("[data-entry]").length;
    while (present < wanted) {
      rows.append(template.content.cloneNode(true));
      present += 1;
    }
    while (present > Math.max(wanted, 1)) {
      rows.lastElementChild.remove();
      present -= 1;
    }
    renumber();
    const seen = {};
    for (const [name, value] of saved.fields) {
      const index = seen[name] || 0;
      seen[name] = index + 1;
      const input = form.querySelectorAll(`[name="${CSS.escape(name)}"]`)[index];
      if (input) input.value = value;
    }
  }

  // Compare texts, not layouts: a blank timeline row more or less is the same story.
  function canonical(pairs) {
    const others = pairs.filter(([name]) => !name.startsWith("entries-"));
    const column = (part) => pairs.filter(([name]) => name === `entries-${part}`).map(([, v]) => v);
    const [stages, what, services] = ["stage", "what_happened", "services"].map(column);
    const entries = stages
      .map((stage, i) => [stage, what[i] || "", services[i] || ""])
      .filter((entry) => entry.some((value) => value.trim()));
    return JSON.stringify([others, entries]);
  }

  function sameAsPage(saved) {
    return canonical(saved.fields) === canonical(fields());
  }

  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(storageKey) || "null");
  } catch {
    saved = null;
  }
  if (saved && Array.isArray(saved.fields)) {
    if (sameAsPage(saved)) {
      forget();
    } else {
      restore(saved);
      say("Restored changes from this device that had not been saved. Saving them now…");
      pending = true;
      save();
    }
  }
}
