"""themes/default/static/chatwiki.js, run under Node with a tiny stand-in for the DOM.

Skipped where Node is not installed: the pages work without the script anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "themes/default/static/chatwiki.js"
NODE = shutil.which("node")

# Just enough DOM for the script: elements with attributes, `hidden` and a parent.
HARNESS = r"""
class El {
  constructor(tag, attrs, parent) {
    this.tagName = tag; this.attrs = attrs || {}; this.children = []; this.hidden = false;
    this.parentNode = parent || null; this.textContent = ""; this.className = "";
    this.nextSibling = null;
    if (parent) parent.children.push(this);
  }
  getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; }
  setAttribute(n, v) { this.attrs[n] = v; }
  get firstChild() { return this.children[0] || null; }
  insertBefore(node, ref) {
    const at = ref ? this.children.indexOf(ref) : -1;
    if (at < 0) this.children.push(node); else this.children.splice(at, 0, node);
    node.parentNode = this;
  }
  all() { return this.children.flatMap(c => (c.all ? [c, ...c.all()] : [])); }
  querySelectorAll(sel) {
    const all = this.all();
    if (sel === "time[data-local][datetime]")
      return all.filter(e => e.tagName === "time" && "data-local" in e.attrs);
    if (sel === "[data-upcoming-until]") return all.filter(e => "data-upcoming-until" in e.attrs);
    if (sel === "[data-upcoming-until]:not([hidden])")
      return all.filter(e => "data-upcoming-until" in e.attrs && !e.hidden);
    if (sel === "[data-upcoming-list]") return all.filter(e => "data-upcoming-list" in e.attrs);
    throw new Error("unexpected selector " + sel);
  }
  querySelector(sel) {
    if (sel === "[data-when-empty]")
      return this.all().find(e => "data-when-empty" in e.attrs) || null;
    throw new Error("unexpected selector " + sel);
  }
}
const body = new El("body");
const list = new El("ol", {"data-upcoming-list": ""}, body);
const past = new El("li", {"data-upcoming-until": "2020-01-01T20:00:00+00:00"}, list);
const soon = new El("li", {"data-upcoming-until": "2999-01-01T20:00:00+00:00"}, list);
const empty = new El("p", {"data-when-empty": ""}, list); empty.hidden = true;
const list2 = new El("ol", {"data-upcoming-list": ""}, body);
new El("li", {"data-upcoming-until": "2020-01-01T20:00:00+00:00"}, list2);
const empty2 = new El("p", {"data-when-empty": ""}, list2); empty2.hidden = true;
// Started in 2020 and ends in 2999: on now. A card with content, and a bare label.
const span = {"data-upcoming-until": "2020-01-01T20:00:00+00:00",
              "data-on-now-until": "2999-01-01T21:00:00+00:00", "data-on-now-text": "On now"};
const list3 = new El("ol", {"data-upcoming-list": ""}, body);
const card = new El("li", {...span}, list3);
new El("time", {}, card);
const empty3 = new El("p", {"data-when-empty": ""}, list3); empty3.hidden = true;
const label = new El("span", {...span}, body); label.textContent = "Upcoming chat";
const ended = new El("li", {...span, "data-on-now-until": "2020-01-01T21:00:00+00:00"}, body);
const dd = new El("dd", {}, body);
const bst = new El("time", {"data-local": "", "datetime": "2027-10-14T20:00:00+01:00"}, dd);
const gmt = new El("time", {"data-local": "", "datetime": "2027-11-11T20:00:00+00:00"}, dd);
const words = process.env.LOCAL_TIME_WORDS;
global.document = {
  currentScript: words ? new El("script", {"data-local-time": words}) : null,
  querySelectorAll: s => body.querySelectorAll(s),
  createElement: tag => new El(tag),
  createTextNode: text => ({nodeType: 3, textContent: text}),
};
require(process.argv[process.argv.length - 1]);
const notes = dd.children.filter(c => c.className === "local-time").map(c => c.textContent);
console.log(JSON.stringify({
  past: past.hidden, soon: soon.hidden, empty: empty.hidden, empty2: empty2.hidden, notes,
  card: {hidden: card.hidden, onNow: "data-on-now" in card.attrs,
         content: card.children.map(c => (c.tagName ? c.tagName + ":" : "") + c.textContent)},
  empty3: empty3.hidden,
  label: {hidden: label.hidden, text: label.textContent},
  ended: ended.hidden,
}));
"""


def run(tz: str, words: str | None = None) -> dict[str, object]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", HARNESS, "--", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "TZ": tz, **({"LOCAL_TIME_WORDS": words} if words else {})},
        check=True,
    )
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_started_items_are_hidden_and_empty_lists_say_so() -> None:
    result = run("Europe/London")
    assert result["past"] is True and result["soon"] is False
    assert result["empty"] is True, "one item is still upcoming"
    assert result["empty2"] is False, "every item has started"


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_local_time_is_added_only_when_it_differs() -> None:
    assert run("Europe/London")["notes"] == []
    assert run("America/New_York")["notes"] == [" (15:00 your time)", " (15:00 your time)"]
    assert run("Asia/Tokyo")["notes"] == [
        " (Fri 15 Oct, 04:00 your time)",
        " (Fri 12 Nov, 05:00 your time)",
    ]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_a_started_item_with_an_end_says_on_now_until_it_ends() -> None:
    result = run("Europe/London")
    assert result["card"] == {
        "hidden": False,
        "onNow": True,
        "content": ["strong:On now", " ", "time:"],
    }
    assert result["empty3"] is True, "the chat on now still fills its list"
    assert result["label"] == {"hidden": False, "text": "On now"}
    assert result["ended"] is True


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_local_time_is_written_in_the_words_the_page_gives() -> None:
    from generator.output.i18n import ui_language
    from generator.output.render import _local_time_words, builtin_theme_dir

    welsh = ui_language("cy", (builtin_theme_dir(),), builtin_theme_dir())
    words = _local_time_words(welsh.translations, welsh.tag)
    assert run("Asia/Tokyo", words)["notes"] == [
        " (Gwen 15 Hyd, 04:00 yn eich amser chi)",
        " (Gwen 12 Tach, 05:00 yn eich amser chi)",
    ]
