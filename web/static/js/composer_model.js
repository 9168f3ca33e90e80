// What a composer decides, without the page: whether Enter sends, what may be sent, and the
// counter shown as a message nears the server's limit.  composer.js draws it; `node --test`
// checks it (web/test/composer_model.test.js).
import { gettext, ngettext } from "./words.js";

export const COUNT_FROM = 0.9; // the counter shows from this share of the limit

// On a touch screen Enter is the only way to a new line, so there the Send button sends;
// with a keyboard Enter sends and Shift+Enter makes a new line.
export function enterSends(event, touch) {
  if (touch || event.key !== "Enter" || event.shiftKey || event.isComposing) return false;
  return !(event.altKey || event.ctrlKey || event.metaKey);
}

// As the server counts a message's length: characters (code points), not UTF-16 units.
export function textLength(text) {
  return [...text].length;
}

const number = (count) => count.toLocaleString("en-GB");

// {text, over} once the text is near the limit, else null.
export function counter(length, max) {
  if (length < max * COUNT_FROM) return null;
  const left = max - length;
  if (left >= 0) return { text: ngettext("%(count)s character left", "%(count)s characters left", left, { count: number(left) }), over: false };
  return { text: ngettext("%(count)s character too many", "%(count)s characters too many", -left, { count: number(-left) }), over: true };
}

// Why this cannot be sent as it is, in a sentence, or null when it can.
export function problem(body, hasFiles, max) {
  if (!body.trim() && !hasFiles) return gettext("Write a message first, then press Send.");
  const over = textLength(body) - max;
  if (over > 0) {
    return ngettext(
      "This message is %(count)s character too long (the most is %(max)s). Shorten it, or send it in two parts.",
      "This message is %(count)s characters too long (the most is %(max)s). Shorten it, or send it in two parts.",
      over,
      { count: number(over), max: number(max) },
    );
  }
  return null;
}
