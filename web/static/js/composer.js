// A composer form, enhanced: Enter sends, Shift+Enter makes a new line, typing is announced
// to the others at most every few seconds, and files upload as soon as they are chosen (a
// message with files waits until they are all uploaded, then goes by itself).  The form still
// posts normally without JavaScript, a file included.
import { wireUploads } from "./uploads.js";

const TYPING_EVERY_MS = 3000;

// send(body, attachments): attachments are the uploaded files' server answers, in order.
export function wireComposer(form, { send, typing, maxFileBytes }) {
  const input = form.querySelector("textarea");
  const hint = form.querySelector(".hint .js-only");
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
      say("A file could not be uploaded: try it again or remove it, then press Send.");
    } else if (list.ready()) {
      waiting = false;
      say("");
      submit();
    }
  }

  function submit() {
    const body = input.value;
    const list = uploads.list;
    if (!body.trim() && list.empty) {
      input.focus();
      return;
    }
    if (!list.empty && !list.ready()) {
      if (list.anyFailed) {
        say("A file could not be uploaded: try it again or remove it, then press Send.");
        form.querySelector(".upload.is-failed button")?.focus();
        return;
      }
      waiting = true;
      say("Sending as soon as the files are uploaded…");
      return;
    }
    const attachments = list.items.map((item) => item.uploaded);
    input.value = "";
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
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    submit();
  });
  input.addEventListener("input", () => {
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
