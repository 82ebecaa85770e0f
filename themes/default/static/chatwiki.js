/* chatwiki: small progressive enhancements. No dependencies, no requests; every page
   works without this file.

   1. <time datetime="..." data-local> gets the reader's own time added beside the
      chat's ("20:00 GMT (21:00 your time)") when the two differ.
   2. Anything with data-upcoming-until="<ISO start>" is hidden once that moment has
      passed: "upcoming" is decided when the site is built, and a static site may
      not be rebuilt before the chat starts. With data-on-now-until="<ISO end>" too,
      it stays until the end instead, marked data-on-now while the chat is on, and
      its data-on-now-text ("On now", written by the template so it can be
      translated) replaces its text (a bare label) or is put before its content.
      A [data-upcoming-list] whose items have all gone shows its [data-when-empty]
      message instead. */
(function () {
  "use strict";

  // The page's own words for the reader's time (its script tag's data-local-time, which
  // the theme writes in the site's language); English when a theme leaves it out.
  var script = document.currentScript;
  var words = { label: "({time} your time)", days: null, months: null };
  try {
    var given = script && script.getAttribute("data-local-time");
    if (given) words = JSON.parse(given);
  } catch (e) {
    // a theme's mistake must not stop the rest of the script
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // The offset, in minutes east of UTC, written at the end of an ISO datetime.
  function writtenOffset(text) {
    var m = /([+-])(\d\d):?(\d\d)$/.exec(text);
    if (m) {
      return (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10));
    }
    return /Z$/.test(text) ? 0 : null;
  }

  function addLocalTimes() {
    var days = words.days || ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    var months =
      words.months || ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    var times = document.querySelectorAll("time[data-local][datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var text = el.getAttribute("datetime");
      var when = new Date(text);
      var offset = writtenOffset(text);
      if (isNaN(when.getTime()) || offset === null) continue;
      if (offset === -when.getTimezoneOffset()) continue; // the reader is in the chat's zone
      // The chat's own calendar date, to say which day it is for the reader if it differs.
      var there = new Date(when.getTime() + offset * 60000);
      var sameDay =
        there.getUTCFullYear() === when.getFullYear() &&
        there.getUTCMonth() === when.getMonth() &&
        there.getUTCDate() === when.getDate();
      var label = pad(when.getHours()) + ":" + pad(when.getMinutes());
      if (!sameDay) {
        label = days[when.getDay()] + " " + when.getDate() + " " + months[when.getMonth()] + ", " + label;
      }
      var note = document.createElement("span");
      note.className = "local-time";
      note.textContent = " " + String(words.label).replace("{time}", label);
      el.parentNode.insertBefore(note, el.nextSibling);
    }
  }

  function markOnNow(el) {
    el.setAttribute("data-on-now", "");
    var label = el.getAttribute("data-on-now-text");
    if (!label) return;
    if (el.children.length === 0) {
      el.textContent = label; // a bare label: "Upcoming chat" becomes "On now"
      return;
    }
    var badge = document.createElement("strong");
    badge.className = "on-now";
    badge.textContent = label;
    var first = el.firstChild;
    el.insertBefore(badge, first);
    el.insertBefore(document.createTextNode(" "), first);
  }

  function retirePast() {
    var now = Date.now();
    var items = document.querySelectorAll("[data-upcoming-until]");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var start = Date.parse(el.getAttribute("data-upcoming-until"));
      if (isNaN(start) || start > now) continue;
      var end = Date.parse(el.getAttribute("data-on-now-until") || "");
      if (!isNaN(end) && now < end) markOnNow(el);
      else el.hidden = true;
    }
    var lists = document.querySelectorAll("[data-upcoming-list]");
    for (var j = 0; j < lists.length; j++) {
      var left = lists[j].querySelectorAll("[data-upcoming-until]:not([hidden])");
      var empty = lists[j].querySelector("[data-when-empty]");
      if (empty && left.length === 0) empty.hidden = false;
    }
  }

  retirePast();
  addLocalTimes();
})();
