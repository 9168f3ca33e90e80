// A system message the programme wrote reads in the page's language; any other as stored.
import assert from "node:assert/strict";
import { test } from "node:test";

import { noticeHtml } from "../static/js/messages.js";

const ended = {
  kind: "system",
  html: "<p>This pair has ended.</p>",
  notice: { key: "pair.ended", html: { en: "<p>This pair has ended.</p>", da: "<p>Forløbet er slut.</p>" } },
};

test("a notice reads in the reader's language", () => {
  assert.equal(noticeHtml(ended, "da"), "<p>Forløbet er slut.</p>");
  assert.equal(noticeHtml(ended, "en"), "<p>This pair has ended.</p>");
});

test("a language the notice lacks, or a message with no notice, reads as stored", () => {
  assert.equal(noticeHtml(ended, "xx"), "<p>This pair has ended.</p>");
  const older = { kind: "system", html: "<p>Older words</p>", notice: null };
  assert.equal(noticeHtml(older, "da"), "<p>Older words</p>");
});

test("without a page, the language is English", () => {
  assert.equal(noticeHtml(ended), "<p>This pair has ended.</p>");
});
