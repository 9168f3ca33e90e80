// A composer form, enhanced: Enter sends, Shift+Enter makes a new line, typing is announced
// to the others at most every few seconds.  The form still posts normally without JavaScript.
const TYPING_EVERY_MS = 3000;

export function wireComposer(form, { send, typing }) {
  const input = form.querySelector("textarea");
  let lastTyping = 0;

  function submit() {
    const body = input.value;
    if (!body.trim()) {
      input.focus();
      return;
    }
    input.value = "";
    lastTyping = 0;
    send(body);
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
    setThread(threadId) {
      form.querySelector('input[name="thread_id"]').value = threadId ?? "";
    },
  };
}
