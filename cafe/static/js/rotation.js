// The plan page while a plan is being made: ask the server how the job is going, show its
// progress and the time used, and reload the page once the plan is ready (or planning failed).
// Without this script the page still works: it refreshes itself every few seconds (a meta
// refresh inside <noscript>) and has a "Refresh this page" link.

const POLL_MS = 1500;
const GIVE_UP_AFTER = 5; // failed polls in a row before leaving it to the refresh link

const box = document.getElementById("plan-job");
if (box && box.dataset.open === "true") {
  watch(box);
}

function watch(box) {
  const jobId = Number(box.dataset.jobId);
  const progress = box.querySelector("[data-field=progress]");
  const elapsed = box.querySelector("[data-field=elapsed]");
  const bar = box.querySelector("progress");
  let failures = 0;

  function show(job) {
    const line = job.progress || job.state_label;
    // The line is a live region: only touch it when it changes, so it is not read out
    // every poll.
    if (progress.textContent.trim() !== line) progress.textContent = line;
    elapsed.textContent = String(job.elapsed_seconds);
    bar.max = job.time_limit;
    bar.value = Math.min(job.elapsed_seconds, job.time_limit);
    bar.textContent = `${job.elapsed_seconds} of ${Math.round(job.time_limit)} seconds`;
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { job } = await response.json();
      failures = 0;
      if (!job || job.id !== jobId || !job.is_open) {
        window.location.assign(box.dataset.doneUrl);
        return;
      }
      show(job);
    } catch (error) {
      failures += 1;
      if (failures >= GIVE_UP_AFTER) {
        progress.textContent = "Cannot reach the server to check on the plan: use “Refresh this page”.";
        return;
      }
    }
    window.setTimeout(poll, POLL_MS);
  }

  window.setTimeout(poll, POLL_MS);
}
