// The closing session's screen keeps itself up to date: every few seconds it asks for the
// latest figures and swaps in the board only when something changed, so the projector never
// flickers. Without this script the page reloads itself (a meta refresh in <noscript>).

const screen = document.querySelector("[data-summary-url]");
if (screen) {
  const POLL_MS = (Number(screen.dataset.pollSeconds) || 10) * 1000;
  const board = screen.querySelector("[data-closing-board]");
  const status = screen.querySelector("[data-closing-status]");
  let shown = null; // the board's HTML as the server last sent it
  let lastUpdate = status.textContent;
  let timer = null;

  const later = () => {
    window.clearTimeout(timer);
    if (!document.hidden) timer = window.setTimeout(poll, POLL_MS);
  };

  async function poll() {
    try {
      const response = await fetch(screen.dataset.summaryUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        status.textContent = "Not updating: sign in again, then reload this page.";
        return;
      }
      const data = await response.json();
      if (data.html !== shown) {
        board.innerHTML = data.html;
        shown = data.html;
      }
      lastUpdate = `Updated at ${data.updated_label}`;
      status.textContent = lastUpdate;
    } catch {
      status.textContent = `Reconnecting… (${lastUpdate.toLowerCase()})`;
    } finally {
      later();
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
  later();
}
