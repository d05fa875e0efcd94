// The check-in list: narrow it as the search is typed, and mark guests without reloading the
// page (so the list keeps its place). Without this script the search form and the buttons work
// as ordinary requests.
const list = document.getElementById("checkin-list");
const search = document.querySelector("[data-checkin-search]");
const status = document.getElementById("checkin-status");
const caption = document.getElementById("checkin-caption");
const total = list ? list.tBodies[0].rows.length : 0;

function filter() {
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const row of list.tBodies[0].rows) {
    const match = words.every((word) => row.dataset.search.includes(word));
    row.hidden = !match;
    if (match) shown += 1;
  }
  if (caption) {
    caption.textContent = words.length
      ? `${shown} of ${total} guests match “${search.value.trim()}”`
      : `${total} ${total === 1 ? "guest" : "guests"}`;
  }
}

function showCounts(counts) {
  for (const [name, value] of Object.entries(counts)) {
    const element = document.querySelector(`[data-count="${name}"]`);
    if (element) element.textContent = value;
  }
  const label = document.querySelector("[data-count-label=no_show]");
  if (label) label.textContent = counts.no_show === 1 ? label.dataset.one : label.dataset.many;
}

async function mark(form, button) {
  const data = new FormData(form);
  data.set(button.name, button.value);
  const response = await fetch(form.action, {
    method: "POST", body: data, credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

if (list) {
  // Only full pages were loaded with every guest: a server-side search shows fewer rows.
  if (search && !new URLSearchParams(window.location.search).get("q")) {
    search.addEventListener("input", filter);
  }
  list.addEventListener("submit", async (event) => {
    const form = event.target;
    const button = event.submitter;
    if (!button || !button.name || form.dataset.plain) return;
    event.preventDefault();
    const row = form.closest("tr");
    const name = row.querySelector("th").firstChild.textContent.trim();
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    try {
      const answer = await mark(form, button);
      const holder = document.createElement("tbody");
      holder.innerHTML = answer.row;
      const fresh = holder.firstElementChild;
      fresh.hidden = row.hidden;
      row.replaceWith(fresh);
      showCounts(answer.counts);
      status.textContent = `${name}: ${fresh.querySelector("[data-field=status]").textContent.trim()}`;
      const next = fresh.querySelector("button");
      if (next) next.focus();
    } catch (error) {
      for (const b of form.querySelectorAll("button")) b.disabled = false;
      status.textContent = error.message;
      // Fall back to the ordinary request, which shows the message on the page.
      form.dataset.plain = "true";
      form.requestSubmit(button);
    }
  });
}
