// The goals page, live.  Its forms work alone (without JavaScript, a post and back); here, when
// a goal's card changes in the pair channel (a `message` event carrying `goal`, or the deleted
// card of a removed goal), the goals are drawn again from the server's own page, so both
// people see the same goals without reloading.  A goal someone is typing in is left as it is
// until they are done.
import { connect, pageData } from "./live.js";
import { keepTimesFresh, refresh } from "./time.js";

const data = pageData();
const socket = connect();
const list = document.getElementById("goal-list");
let drawing = null;
let again = false;

function typingIn(goal) {
  const field = document.activeElement;
  return Boolean(goal?.contains(field) && field.matches("input[type=text], textarea") && field.value);
}

// What has the keyboard, said so that it can be found again in a fresh copy of its goal.
function focusKey() {
  const field = document.activeElement;
  const goal = field?.closest?.(".goal");
  if (!goal) return null;
  return { goal: goal.id, action: field.form?.getAttribute("action"), value: field.value ?? null, tag: field.tagName };
}

function refocus(key) {
  if (!key) return;
  const goal = document.getElementById(key.goal);
  if (!goal || goal.contains(document.activeElement)) return;
  for (const candidate of goal.querySelectorAll(key.tag)) {
    if (candidate.form?.getAttribute("action") === key.action) {
      candidate.focus();
      return;
    }
  }
  goal.querySelector(".goal-title")?.setAttribute("tabindex", "-1");
  goal.querySelector(".goal-title")?.focus();
}

async function fetchGoals() {
  try {
    const response = await fetch(location.pathname, { credentials: "same-origin" });
    if (!response.ok) return null;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    return page.getElementById("goal-list");
  } catch {
    return null; // offline: the next (re)connect draws them again
  }
}

async function redraw() {
  const fresh = await fetchGoals();
  if (!fresh) return;
  const key = focusKey();
  const goals = [...fresh.children].map((goal) => {
    const current = document.getElementById(goal.id);
    if (!current) return goal;
    if (current.dataset.updated === goal.dataset.updated || typingIn(current)) return current;
    return goal;
  });
  list.replaceChildren(...goals.map((goal) => (goal.ownerDocument === document ? goal : document.adoptNode(goal))));
  list.querySelectorAll("time[datetime]").forEach(refresh);
  document.getElementById("no-goals")?.toggleAttribute("hidden", goals.length > 0);
  refocus(key);
}

// One drawing at a time; changes that come meanwhile are drawn once more after it.
function redrawSoon() {
  if (drawing) {
    again = true;
    return;
  }
  drawing = redraw().finally(() => {
    drawing = null;
    if (again) {
      again = false;
      redrawSoon();
    }
  });
}

socket.on("connect", redrawSoon);
socket.on("message", (message) => {
  if (message.channel_id === data.channel_id && (message.goal || message.deleted)) redrawSoon();
});
// The pair ended (or the channel changed otherwise): the page says what may be done now.
socket.on("channel", (channel) => {
  if (channel.id === data.channel_id && channel.read_only && document.querySelector(".goal-new")) location.reload();
});

document.getElementById("goals-error")?.focus();
keepTimesFresh();
