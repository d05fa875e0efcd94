// The send progress page: deliver the send a few emails at a time and show how far it has got.
// Without this script the page still works: its button sends the next emails, its link refreshes.
const box = document.getElementById("send-progress");

function show(progress) {
  box.querySelector("[data-field=sent]").textContent = progress.sent;
  box.querySelector("[data-field=total]").textContent = progress.total;
  box.querySelector("[data-field=failed-text]").textContent = progress.failed
    ? `, ${progress.failed} could not be delivered` : "";
  box.querySelector("[data-field=state]").textContent = progress.done
    ? "Finished." : `${progress.waiting} still to send.`;
  const bar = document.getElementById("send-progress-bar");
  bar.max = progress.total;
  bar.value = progress.sent + progress.failed;
  bar.textContent = `${progress.percent}%`;
  const failures = document.getElementById("send-failures");
  if (progress.failed) {
    const body = failures.querySelector("[data-field=failures]");
    body.replaceChildren(...progress.failures.map((failure) => {
      const row = document.createElement("tr");
      row.className = "govuk-table__row";
      const who = document.createElement("td");
      who.className = "govuk-table__cell";
      who.textContent = `${failure.name} (${failure.email})`;
      const what = document.createElement("td");
      what.className = "govuk-table__cell";
      what.textContent = failure.error;
      row.append(who, what);
      return row;
    }));
    failures.hidden = false;
  }
}

async function advance() {
  const response = await fetch(box.dataset.advanceUrl, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": box.dataset.csrfToken },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function run() {
  let failures = 0;
  let last = "";
  for (;;) {
    let delay = 300;
    try {
      const progress = await advance();
      failures = 0;
      show(progress);
      if (progress.done) break;
      // Nothing moved: the rest wait for a retry later, so ask again less often.
      const now = `${progress.sent}/${progress.failed}`;
      if (now === last) delay = 10000;
      last = now;
    } catch (error) {
      failures += 1;
      if (failures >= 3) return; // leave the no-script button to carry on by hand
      delay = 2000;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  document.querySelectorAll(".cafe-no-js-only").forEach((el) => { el.hidden = true; });
}

if (box && box.dataset.done !== "true") {
  run();
}
