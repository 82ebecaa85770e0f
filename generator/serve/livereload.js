// chatwiki serve's live reload. The preview server adds this script to the HTML it
// sends; it is never part of a built site. It listens to the server's event stream:
// after a rebuild that changed this page it reloads it; while the content has errors
// it shows them over the page (as text: a diagnostic quotes the user's file, which may
// hold markup), and removes them once a rebuild succeeds.
//
// Each event names its generation and the files it changed since the one before
// (or null: any of them). A page that saw the generation before and is not among
// them stays as it is (its form fields, its scroll position); one that missed a
// generation (a tab asleep, an error in between) reloads, as it cannot know.
(() => {
  "use strict";
  const script = document.currentScript;
  let current = script ? script.dataset.generation : undefined;
  const file = script ? script.dataset.file : undefined;
  let overlay = null;

  function show(errors) {
    if (overlay === null) {
      overlay = document.createElement("div");
      overlay.id = "chatwiki-serve-errors";
      overlay.setAttribute("role", "alert");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0 0 auto 0", maxHeight: "70vh", overflow: "auto",
        zIndex: "2147483647", margin: "0", padding: "1rem 1.5rem",
        background: "#fff5f5", color: "#5c0011", borderBottom: "3px solid #c00",
        font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      });
      document.body.append(overlay);
    }
    const title = document.createElement("strong");
    title.textContent = `chatwiki: ${errors.length} error${errors.length === 1 ? "" : "s"}` +
      " in the content; this page is the last good build.";
    const list = document.createElement("pre");
    list.style.whiteSpace = "pre-wrap";
    list.textContent = errors.join("\n");
    overlay.replaceChildren(title, list);
  }

  function hide() {
    if (overlay !== null) {
      overlay.remove();
      overlay = null;
    }
  }

  const events = new EventSource("/__chatwiki/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.errors.length > 0) {
      // The build refused what this page shows (an edit shown ahead of it): back to
      // the last good build, which then shows the errors as it loads.
      const refused = String(state.generation - 1) === current && state.changed !== null &&
        state.changed.includes(file);
      if (refused) {
        location.reload();
      } else {
        show(state.errors);
      }
      return;
    }
    hide();
    const now = String(state.generation);
    if (now === current) {
      return;
    }
    const unchanged =
      state.changed !== null &&
      String(state.generation - 1) === current &&
      !state.changed.includes(file);
    if (unchanged) {
      current = now;
    } else {
      location.reload();
    }
  });
})();
