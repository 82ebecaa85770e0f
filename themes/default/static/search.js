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
    // The page's words for Pagefind's own labels (data-search-translations, written in
    // the site's language): Pagefind has no Welsh of its own, for one.
    var translations = {};
    try {
      translations = JSON.parse(element.getAttribute("data-search-translations") || "{}");
    } catch (e) {
      translations = {}; // a theme's mistake: Pagefind's own words for the page's lang
    }
    new window.PagefindUI({
      element: element,
      translations: translations,
      showSubResults: true, // the matching section of a long write-up
      showImages: false,
      autofocus: true
    });
    // Pagefind names its input only by placeholder and title, which vanish or go
    // unread as soon as one types; the page's own label gives it a lasting name.
    var input = element.querySelector("input");
    var label = document.querySelector("[data-search-label]");
    if (input && label) {
      input.id = input.id || "search-input";
      label.htmlFor = input.id;
    }
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
