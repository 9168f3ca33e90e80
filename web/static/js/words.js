// The page's words in the reader's language.  The server writes into the page (#words) the
// translation of every gettext("…") and ngettext("…", "…", n) in these modules
// (server/pages/translations.py); English is the source and needs none.  "%(name)s" in a
// message takes values.name.
let table = null;

function lookup(message) {
  if (table === null) {
    const element = globalThis.document?.getElementById("words");
    table = element ? JSON.parse(element.textContent) : {};
  }
  return table[message] || message;
}

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

export function gettext(message, values = {}) {
  return fill(lookup(message), values);
}

// One or many (English and Danish both say "1 reply", "2 replies"): `n` is also %(n)s.
export function ngettext(one, many, n, values = {}) {
  return fill(lookup(n === 1 ? one : many), { n, ...values });
}
