// The composer's decisions alone: when Enter sends, what may be sent, the counter near the limit.
import assert from "node:assert/strict";
import { test } from "node:test";

import { counter, enterSends, problem, textLength } from "../static/js/composer_model.js";

const key = (fields = {}) => ({ key: "Enter", shiftKey: false, isComposing: false, altKey: false, ctrlKey: false, metaKey: false, ...fields });

test("with a keyboard Enter sends and Shift+Enter does not; on a touch screen Enter never sends", () => {
  assert.equal(enterSends(key(), false), true);
  assert.equal(enterSends(key({ shiftKey: true }), false), false);
  assert.equal(enterSends(key({ isComposing: true }), false), false);
  assert.equal(enterSends(key({ ctrlKey: true }), false), false);
  assert.equal(enterSends(key({ key: "a" }), false), false);
  assert.equal(enterSends(key(), true), false);
});

test("length is counted in characters, as the server counts, not UTF-16 units", () => {
  assert.equal(textLength("abc"), 3);
  assert.equal(textLength("👍🎉"), 2);
  assert.equal("👍🎉".length, 4);
});

test("the counter shows from 90% of the limit and says how many are left or too many", () => {
  assert.equal(counter(899, 1000), null);
  assert.deepEqual(counter(900, 1000), { text: "100 characters left", over: false });
  assert.deepEqual(counter(999, 1000), { text: "1 character left", over: false });
  assert.deepEqual(counter(1000, 1000), { text: "0 characters left", over: false });
  assert.deepEqual(counter(1001, 1000), { text: "1 character too many", over: true });
  assert.deepEqual(counter(12345, 10000), { text: "2,345 characters too many", over: true });
});

test("an empty message, or one too long, cannot go: each says why", () => {
  assert.match(problem("   \n", false, 10), /Write a message first/);
  assert.equal(problem("", true, 10), null); // files alone may go
  assert.equal(problem("a".repeat(10), false, 10), null);
  assert.match(problem("a".repeat(12), false, 10), /2 characters too long \(the most is 10\)/);
  assert.equal(problem("👍".repeat(10), false, 10), null);
});
