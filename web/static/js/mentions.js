// `@` in a composer: a list of the people who can read this channel (name and role), picked
// with the keyboard (arrows, Enter or Tab, Escape) or by touch.  The textarea (a textbox:
// aria-autocomplete="list", aria-controls and aria-activedescendant point at the listbox and
// its chosen option; aria-expanded is not allowed on a textarea) drives a listbox of options,
// and a status line says how many were found.  Picking someone inserts `@[Name](user:ID)`: the id is what
// the server checks and stores; the message shows their name as a chip.
import { gettext, ngettext } from "./words.js";
const TOKEN = /(^|[\s(])@([^\s@[\]()]{0,40})$/;
let lists = 0;

export function wireMentions(form, channelId) {
  const input = form.querySelector("textarea");
  if (!input || !channelId) return null;
  const id = `mention-list-${++lists}`;
  const list = document.createElement("ul");
  list.id = id;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", gettext("People you can mention"));
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.append(list, status);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", id);

  let people = [];
  let active = 0;
  let token = null; // {start, end} of "@query" in the textarea
  let asked = 0;
  const cache = new Map();

  function close() {
    list.hidden = true;
    people = [];
    token = null;
    form.dataset.mentions = "closed";
    input.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.replaceChildren(
      ...people.map((person, index) => {
        const option = document.createElement("li");
        option.id = `${id}-${person.id}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(index === active));
        option.dataset.userId = String(person.id);
        const name = document.createElement("span");
        name.className = "mention-name";
        name.textContent = person.name;
        const role = document.createElement("span");
        role.className = "mention-role";
        role.textContent = person.role;
        option.append(name, " ", role);
        return option;
      }),
    );
    list.hidden = people.length === 0;
    form.dataset.mentions = list.hidden ? "closed" : "open";
    if (list.hidden) input.removeAttribute("aria-activedescendant");
    else input.setAttribute("aria-activedescendant", `${id}-${people[active].id}`);
  }

  async function lookUp(query) {
    if (!cache.has(query)) {
      const url = `/api/v1/channels/${channelId}/mentionable?q=${encodeURIComponent(query)}`;
      cache.set(
        query,
        fetch(url, { credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : { people: [] }))
          .then((body) => body.people)
          .catch(() => []),
      );
    }
    return cache.get(query);
  }

  async function update() {
    const before = input.value.slice(0, input.selectionStart);
    const found = input.selectionStart === input.selectionEnd && TOKEN.exec(before);
    if (!found) {
      close();
      return;
    }
    const query = found[2];
    const mine = ++asked;
    const result = await lookUp(query);
    if (mine !== asked) return; // a later keystroke asked again
    token = { start: before.length - query.length - 1, end: before.length };
    people = result;
    active = 0;
    render();
    status.textContent = people.length
      ? ngettext("%(num)s person found. Use the arrow keys to choose.", "%(num)s people found. Use the arrow keys to choose.", people.length, { num: people.length })
      : gettext("Nobody by that name can read this channel.");
  }

  function pick(person) {
    if (!token) return;
    const text = `@[${person.name.replace(/[[\]]/g, "")}](user:${person.id}) `;
    const value = input.value;
    input.value = value.slice(0, token.start) + text + value.slice(token.end);
    const caret = token.start + text.length;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  input.addEventListener("input", update);
  input.addEventListener("click", update);
  input.addEventListener("blur", () => setTimeout(close, 150));
  // Capture on the form: runs before the composer's own Enter-sends handler on the textarea.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== input || list.hidden || !people.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        active = (active + (event.key === "ArrowDown" ? 1 : people.length - 1)) % people.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (event.isComposing) return;
        pick(people[active]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  // Touch and mouse: keep the focus in the textarea, pick on release.
  list.addEventListener("pointerdown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    const person = option && people.find((p) => String(p.id) === option.dataset.userId);
    if (person) pick(person);
  });
  return { close };
}
