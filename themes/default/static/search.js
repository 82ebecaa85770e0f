/* chatwiki: start Pagefind's search UI on the search page (search/index.html).
   pagefind-ui.js, loaded just before this file, comes from the site's own pagefind/
   folder, which the build writes; it finds the index beside itself, so the site works
   at a domain root, under a sub-path and from a local server alike. Without
   JavaScript the page keeps its message and links to the topic index and chats. */
(function () {
  "use strict";

  function start() {
    var element = document.querySelector("[data-search-ui]");
    if (!element || typeof window.PagefindUI !== "function") {
      return; // the bundle did not load: the "needs JavaScript" message stays
    }
    new window.PagefindUI({
      element: element,
      showSubResults: true, // the matching section of a long write-up
      showImages: false,
      autofocus: true
    });
    var message = document.querySelector("[data-search-needs-js]");
    if (message) {
      message.hidden = true;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
