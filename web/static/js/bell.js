// The bell on every page: the unread count (also in the tab's title), kept live over the
// socket, and opt-in browser notifications for mentions and pair messages while the tab is
// hidden.  A notification's text never holds a pair's words (the server leaves them out).
import { connect } from "/static/js/live.js";
import { showCount } from "/static/js/tab_title.js";
import { gettext } from "./words.js";

const PREF = "mentorspace:browser-notifications";
const BROWSER_KINDS = new Set(["mention", "pair_message"]);
const bell = document.getElementById("bell");
const badge = document.getElementById("bell-count");
const seen = new Map(); // id -> read
// Unread notifications counted live since the server was last asked: an answer taken before
// they arrived must not undo them (it does not list them).
const countedLive = new Set();

function show(unread) {
  const count = Math.max(0, unread);
  bell.dataset.unread = String(count);
  badge.textContent = count > 99 ? "99+" : String(count);
  badge.hidden = count === 0;
  bell.setAttribute(
    "aria-label",
    count === 0 ? gettext("Notifications") : gettext("Notifications, %(num)s unread", { num: count }),
  );
  showCount("bell", count);
}

async function refresh() {
  let body;
  try {
    const response = await fetch("/api/v1/notifications?limit=50", { credentials: "same-origin" });
    if (!response.ok) return;
    body = await response.json();
  } catch {
    return; // offline, or the connection dropped as it answered: the next connect asks again
  }
  for (const n of body.notifications) seen.set(n.id, n.read);
  const listed = new Set(body.notifications.map((n) => n.id));
  for (const id of countedLive) if (listed.has(id)) countedLive.delete(id);
  show(body.unread + countedLive.size);
}

function browserNotificationsOn() {
  return (
    "Notification" in window &&
    Notification.permission === "granted" &&
    localStorage.getItem(PREF) === "on"
  );
}

function tellBrowser(n) {
  if (!document.hidden || !BROWSER_KINDS.has(n.kind) || !browserNotificationsOn()) return;
  const shown = new Notification(n.text, {
    body: n.excerpt ?? "",
    tag: `mentorspace-${n.id}`,
  });
  shown.onclick = () => {
    window.focus();
    location.href = `/notifications/${n.id}`;
  };
}

// Pair messages while the tab is hidden: the socket is open, so the server makes no
// notification of them; the page says who wrote, never what.
let pairChannels = null; // channel id -> partner name
let me = null;

async function loadPairs() {
  const [channels, who] = await Promise.all([
    fetch("/api/v1/channels", { credentials: "same-origin" }).then((r) => r.json()),
    fetch("/api/v1/me", { credentials: "same-origin" }).then((r) => r.json()),
  ]);
  me = who.user.id;
  pairChannels = new Map(
    channels.channels.filter((c) => c.kind === "pair").map((c) => [c.id, c.partner?.name]),
  );
}

async function tellPairMessage(message) {
  if (!document.hidden || !browserNotificationsOn()) return;
  if (message.seq !== message.created_seq || !message.author || message.kind !== "text") return;
  if (pairChannels === null) await loadPairs().catch(() => {});
  if (!pairChannels?.has(message.channel_id) || message.author.id === me) return;
  const shown = new Notification(gettext("%(name)s sent you a message", { name: message.author.name }), {
    body: gettext("In your mentoring channel"),
    tag: `mentorspace-pair-${message.channel_id}`,
  });
  shown.onclick = () => {
    window.focus();
    location.href = `/channels/${message.channel_id}#m-${message.id}`;
  };
}

if (bell && badge) {
  show(0);
  refresh();
  const socket = connect();
  socket.on("notification", (n) => {
    const known = seen.has(n.id);
    const wasUnread = known && seen.get(n.id) === false;
    seen.set(n.id, n.read);
    if (!n.read && !wasUnread) {
      countedLive.add(n.id);
      show(Number(bell.dataset.unread) + 1);
    }
    if (!known || !n.read) tellBrowser(n);
    document.dispatchEvent(new CustomEvent("mentorspace:notification", { detail: n }));
  });
  socket.on("notifications:read", ({ unread }) => {
    countedLive.clear();
    show(unread);
  });
  socket.on("message", (message) => tellPairMessage(message));
  socket.on("channel", () => {
    pairChannels = null; // a pair began or ended: ask again when needed
  });
  socket.on("read", () => refresh()); // reading a channel reads what it notified
  socket.on("connect", () => refresh()); // catch up after a reconnect
}

// The profile page's switch for browser notifications (a choice of this device).
const optIn = document.querySelector("[data-browser-notifications]");
if (optIn && "Notification" in window) {
  const box = optIn.querySelector("input");
  optIn.hidden = false;
  box.checked = browserNotificationsOn();
  box.addEventListener("change", async () => {
    if (!box.checked) {
      localStorage.setItem(PREF, "off");
      return;
    }
    const permission = await Notification.requestPermission();
    box.checked = permission === "granted";
    localStorage.setItem(PREF, box.checked ? "on" : "off");
  });
}
