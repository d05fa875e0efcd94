// The send progress page: deliver the send a few emails at a time and show how far it has got.
// Without this script the page still works: its button sends the next emails, its link refreshes.
const box = document.getElementById("send-progress");

function personCell(person) {
  const cell = document.createElement("td");
  cell.className = "govuk-table__cell";
  const email = document.createElement("span");
  email.className = "govuk-body-s";
  email.textContent = person.email;
  cell.append(person.name, document.createElement("br"), email);
  return cell;
}

function textCell(text) {
  const cell = document.createElement("td");
  cell.className = "govuk-table__cell";
  cell.textContent = text;
  return cell;
}

function fillTable(section, field, rows, cells) {
  const body = section.querySelector(`[data-field=${field}]`);
  body.replaceChildren(...rows.map((item) => {
    const row = document.createElement("tr");
    row.className = "govuk-table__row";
    row.append(personCell(item), ...cells(item).map(textCell));
    return row;
  }));
  section.hidden = rows.length === 0;
}

function show(progress) {
  box.querySelector("[data-field=sent]").textContent = progress.sent;
  box.querySelector("[data-field=total]").textContent = progress.total;
  box.querySelector("[data-field=failed-text]").textContent = progress.failed
    ? `, ${progress.failed} could not be delivered` : "";
  box.querySelector("[data-field=state]").textContent = progress.done
    ? "Finished."
    : `${progress.waiting} still to send${progress.retrying
      ? `, ${progress.retrying} of them to be tried again` : ""}.`;
  const bar = document.getElementById("send-progress-bar");
  bar.max = progress.total;
  bar.value = progress.sent + progress.failed;
  bar.textContent = `${progress.percent}%`;
  fillTable(document.getElementById("send-retries"), "retries", progress.retries,
    (retry) => [retry.error, retry.at]);
  fillTable(document.getElementById("send-failures"), "failures", progress.failures,
    (failure) => [failure.error]);
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
