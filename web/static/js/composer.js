// A composer form, enhanced: Enter sends (on a touch screen the Send button does, and Enter
// makes a new line), a message too long for the server is stopped before it goes with a
// counter as it nears the limit, typing is announced to the others at most every few seconds,
// and files upload as soon as they are chosen (a message with files waits until they are all
// uploaded, then goes by itself).  The form still posts normally without JavaScript, a file
// included.
import { counter, enterSends, problem, textLength } from "./composer_model.js";
import { wireUploads } from "./uploads.js";
import { gettext } from "./words.js";

const TYPING_EVERY_MS = 3000;

// Decided once, as the page opens: a phone or tablet, where Enter cannot be Send.
export const touchScreen = window.matchMedia("(pointer: coarse)").matches;

// send(body, attachments): attachments are the uploaded files' server answers, in order.
// maxLength: the most characters the server takes in a message.
export function wireComposer(form, { send, typing, maxFileBytes, maxLength }) {
  const input = form.querySelector("textarea");
  const hint = form.querySelector(".hint .js-only");
  const count = form.querySelector(".composer-count");
  const stop = form.querySelector(".composer-problem");
  if (touchScreen && hint) hint.textContent = hint.dataset.touchHint;
  const usualHint = hint?.textContent ?? "";
  let lastTyping = 0;
  let waiting = false; // Send was pressed while files were still uploading

  const uploads = wireUploads(form, { maxBytes: maxFileBytes, onChange: filesChanged });

  function say(text) {
    if (hint) hint.textContent = text || usualHint;
  }

  function filesChanged(list) {
    if (!waiting) return;
    if (list.empty) {
      waiting = false;
      say("");
    } else if (list.anyFailed) {
      waiting = false;
      say(gettext("A file could not be uploaded: try it again or remove it, then press Send."));
    } else if (list.ready()) {
      waiting = false;
      say("");
      submit();
    }
  }

  // Why the message cannot go (empty, too long), or nothing.
  function showProblem(text) {
    stop.textContent = text ?? "";
    input.setAttribute("aria-invalid", String(Boolean(text) && textLength(input.value) > maxLength));
  }

  function showCount() {
    const shown = counter(textLength(input.value), maxLength);
    count.hidden = !shown;
    count.textContent = shown?.text ?? "";
    count.classList.toggle("is-over", Boolean(shown?.over));
    if (stop.textContent && !problem(input.value, !uploads.list.empty, maxLength)) showProblem(null);
  }

  function submit() {
    const body = input.value;
    const list = uploads.list;
    const why = problem(body, !list.empty, maxLength);
    showProblem(why);
    if (why) {
      input.focus();
      return;
    }
    if (!list.empty && !list.ready()) {
      if (list.anyFailed) {
        say(gettext("A file could not be uploaded: try it again or remove it, then press Send."));
        form.querySelector(".upload.is-failed button")?.focus();
        return;
      }
      waiting = true;
      say(gettext("Sending as soon as the files are uploaded…"));
      return;
    }
    const attachments = list.items.map((item) => item.uploaded);
    input.value = "";
    showCount();
    lastTyping = 0;
    uploads.clear();
    send(body, attachments);
    input.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (!enterSends(event, touchScreen)) return;
    event.preventDefault();
    submit();
  });
  input.addEventListener("input", () => {
    showCount();
    const now = Date.now();
    if (input.value.trim() && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      typing();
    }
  });
  return {
    input,
    addFiles: uploads.add,
    setThread(threadId) {
      form.querySelector('input[name="thread_id"]').value = threadId ?? "";
    },
  };
}
