// Progressive enhancement only: every page works without this file.
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Session time-out warning. Without JavaScript the footer says when we sign people out and links
// to a page that keeps the session alive; with it, a dialog appears two minutes before the idle
// time-out and "Stay signed in" extends the session without leaving the page.
const dialog = document.getElementById("civitas-timeout");
if (dialog && typeof dialog.showModal === "function") {
  const timeout = Number(dialog.dataset.timeout) * 1000;
  const warnBefore = Number(dialog.dataset.warnBefore) * 1000;
  let warnTimer;
  let endTimer;
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => dialog.showModal(), Math.max(timeout - warnBefore, 0));
    endTimer = setTimeout(() => window.location.assign(dialog.dataset.signedOutUrl), timeout);
  };
  const form = dialog.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const state = await response.json();
      if (!state.signed_in) {
        window.location.assign(dialog.dataset.signedOutUrl);
        return;
      }
    } catch {
      form.submit(); // the page way: extend and come back here
      return;
    }
    dialog.close();
    schedule();
  });
  schedule();
}
