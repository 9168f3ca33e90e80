// A channel, live: what the server rendered becomes a model kept up to date by socket events;
// after any reconnect the client asks for every change since the last seq it has seen.
import { closeOpenPicker, wireMessageActions } from "./actions.js";
import { wireComposer } from "./composer.js";
import { call, connect, newClientId, pageData } from "./live.js";
import { startMenu } from "./menu.js";
import { renderMessage, renderPending, typingText } from "./messages.js";
import { keepTimesFresh } from "./time.js";

const data = pageData();
const me = data.me;
const rights = data.rights;
const channelId = data.channel.id;
const socket = connect();
startMenu(socket, me, channelId, { onChannel: channelChanged, onAccount: accountChanged });

const $ = (id) => document.getElementById(id);
const els = {
  layout: $("chat-layout"),
  channel: $("channel"),
  sidebar: document.querySelector(".sidebar"),
  scroll: $("message-scroll"),
  edge: $("history-edge"),
  list: $("messages"),
  jump: $("jump-latest"),
  typing: $("typing"),
  panel: $("thread-panel"),
  threadTitle: $("thread-title"),
  threadScroll: $("thread-scroll"),
  threadRoot: $("thread-root"),
  threadCount: $("thread-count"),
  threadReplies: $("thread-replies"),
  threadTyping: $("thread-typing"),
  closeThread: $("close-thread"),
  announcer: $("announcer"),
};

const state = {
  lastSeq: data.last_seq, // every change up to here is applied
  readSent: data.last_read_seq,
  messages: new Map(), // id -> the latest state of every message we know
  pending: new Map(), // client_id -> a message on its way (or failed)
  oldestId: data.messages[0]?.id ?? null,
  more: data.more,
  atLatest: data.at_latest,
  newestId: data.messages.at(-1)?.id ?? 0,
  thread: null, // the id of the open thread's root
  threadOpener: null,
};
const mainElements = new Map(); // id -> <li> in the channel list
const threadElements = new Map(); // id -> <li> among the open thread's replies

const mainView = { me, rights, channelId, inThread: false, prefix: "m-" };
const threadView = { me, rights, channelId, inThread: true, prefix: "t-" };

// --- showing messages -----------------------------------------------------------------

function nearBottom(scroller) {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
}

function toBottom(scroller) {
  scroller.scrollTop = scroller.scrollHeight;
}

function isEditing(element) {
  return Boolean(element?.querySelector(".edit-form"));
}

// Put `element` into `list` in id order; messages on their way stay last.
function insertInOrder(list, element, id) {
  for (const child of list.children) {
    if (child.dataset.clientId || Number(child.dataset.id) > id) {
      const divider = child.previousElementSibling;
      list.insertBefore(element, divider?.classList.contains("unread-divider") ? divider : child);
      return;
    }
  }
  list.append(element);
}

// A live update redraws a message; if the keyboard focus was on one of its controls, put it on
// the same control of the new drawing, so a screen-reader or keyboard user is not thrown out.
function replaceKeepingFocus(old, element) {
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  old.replaceWith(element);
  if (!focused || focused === old) return;
  const action = focused.getAttribute("data-action");
  const selector = action ? `[data-action="${CSS.escape(action)}"]` : focused.tagName.toLowerCase();
  const index = [...old.querySelectorAll(selector)].indexOf(focused);
  element.querySelectorAll(selector)[index]?.focus({ preventScroll: true });
}

function showInMain(message) {
  const old = mainElements.get(message.id);
  if (isEditing(old)) return;
  if (message.deleted && message.reply_count === 0) {
    old?.remove();
    mainElements.delete(message.id);
    return;
  }
  const element = renderMessage(message, mainView);
  if (old) {
    replaceKeepingFocus(old, element);
  } else {
    if (state.more && state.oldestId !== null && message.id < state.oldestId) return; // not loaded yet
    if (!state.atLatest && message.id > state.newestId) return; // an old page shows only its own
    insertInOrder(els.list, element, message.id);
  }
  mainElements.set(message.id, element);
}

function showInThread(message) {
  if (message.id === state.thread) {
    const old = els.threadRoot.firstElementChild;
    if (!isEditing(old)) els.threadRoot.replaceChildren(renderMessage(message, threadView));
    updateThreadCount(message);
    return;
  }
  const old = threadElements.get(message.id);
  if (isEditing(old)) return;
  if (message.deleted) {
    old?.remove();
    threadElements.delete(message.id);
    return;
  }
  const element = renderMessage(message, threadView);
  if (old) replaceKeepingFocus(old, element);
  else insertInOrder(els.threadReplies, element, message.id);
  threadElements.set(message.id, element);
}

function updateThreadCount(root) {
  const count = root.reply_count;
  els.threadCount.textContent = count === 1 ? "1 reply" : `${count} replies`;
}

function showEverywhere(message) {
  if (message.thread_id === null) showInMain(message);
  if (state.thread !== null && (message.id === state.thread || message.thread_id === state.thread)) {
    showInThread(message);
  }
}

// Take a message's new state; false if we already had it (or something newer).
function apply(message, { announce = true } = {}) {
  const known = state.messages.get(message.id);
  if (known && known.seq >= message.seq) return false;
  state.messages.set(message.id, message);
  if (message.client_id && message.author?.id === me.id) dropPending(message.client_id);
  showEverywhere(message);
  const isNew = !known && message.created_seq === message.seq && !message.deleted;
  if (isNew && message.author && message.author.id !== me.id) {
    stopTyping(message.author.id, message.thread_id);
    if (announce) tellScreenReader(message);
  } else if (announce && message.task) {
    tellAboutTask(message, known);
  }
  return true;
}

function tellScreenReader(message) {
  const where = message.thread_id ? "Reply in a thread from" : "New message from";
  els.announcer.textContent = `${where} ${message.author.name}: ${message.body.slice(0, 200)}`;
}

// A new task, or the partner marking one: said aloud, as a sighted reader sees the card change.
function tellAboutTask(message, known) {
  const task = message.task;
  if (!known && message.created_seq === message.seq) {
    els.announcer.textContent = `New task: ${task.title}`;
  } else if (known?.task && known.task.done !== task.done) {
    const who = task.done ? task.done_by?.name : null;
    if (task.done && who && task.done_by.id !== me.id) {
      els.announcer.textContent = `${who} marked the task ${task.title} as done.`;
    } else if (!task.done) {
      els.announcer.textContent = `The task ${task.title} is not done any more.`;
    }
  }
}

// Scroll as people expect: follow new messages when at the bottom, else offer a jump.
function afterChanges(changed, { mainWasAtBottom, threadWasAtBottom }) {
  if (!changed.length) return;
  if (mainWasAtBottom) toBottom(els.scroll);
  else if (changed.some((m) => m.thread_id === null && m.created_seq === m.seq && m.author?.id !== me.id)) {
    els.jump.hidden = false;
  }
  if (state.thread !== null && threadWasAtBottom) toBottom(els.threadScroll);
  markReadSoon();
}

function positions() {
  return { mainWasAtBottom: nearBottom(els.scroll), threadWasAtBottom: nearBottom(els.threadScroll) };
}

// --- live events and catching up ------------------------------------------------------

let syncing = false;
let syncAgain = false;
let syncTimer = null;

function syncSoon() {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(sync, 300);
}

async function sync() {
  if (syncing) {
    syncAgain = true;
    return;
  }
  syncing = true;
  try {
    let more = true;
    while (more && socket.connected) {
      const ack = await call("channel:sync", { channel_id: channelId, since_seq: state.lastSeq });
      if (ack.error) break;
      const before = positions();
      const changed = ack.changes.filter((message) => apply(message));
      state.lastSeq = Math.max(state.lastSeq, ack.last_seq);
      afterChanges(changed, before);
      more = ack.more;
    }
  } finally {
    syncing = false;
    if (syncAgain) {
      syncAgain = false;
      sync();
    }
  }
}

socket.on("connect", sync);
socket.on("message", (message) => {
  if (message.channel_id !== channelId) return;
  const before = positions();
  const changed = apply(message);
  if (message.seq === state.lastSeq + 1) state.lastSeq = message.seq;
  else if (message.seq > state.lastSeq) syncSoon(); // a gap: something arrived out of order
  afterChanges(changed ? [message] : [], before);
});

// --- read state -----------------------------------------------------------------------

let readTimer = null;

function markReadSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(markRead, 400);
}

async function markRead() {
  if (document.visibilityState !== "visible" || !socket.connected) return;
  if (!nearBottom(els.scroll) || state.lastSeq <= state.readSent) return;
  const ack = await call("channel:read", { channel_id: channelId, seq: state.lastSeq });
  if (!ack.error) state.readSent = Math.max(state.readSent, ack.last_read_seq);
}

els.scroll.addEventListener("scroll", () => {
  if (nearBottom(els.scroll)) els.jump.hidden = true;
  markReadSoon();
});
document.addEventListener("visibilitychange", markReadSoon);
els.jump.addEventListener("click", () => {
  toBottom(els.scroll);
  els.jump.hidden = true;
  els.list.lastElementChild?.querySelector("a, button")?.focus({ preventScroll: true });
});

// --- older history --------------------------------------------------------------------

let loadingOlder = false;

function showEdge() {
  if (!state.atLatest) return; // an old page keeps its plain links
  if (state.more) {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "load-earlier";
    more.textContent = "Show earlier messages";
    more.addEventListener("click", loadOlder);
    els.edge.replaceChildren(more);
    edgeWatcher.observe(more);
  } else {
    const start = document.createElement("p");
    start.className = "history-start";
    start.textContent = els.edge.dataset.beginning;
    els.edge.replaceChildren(start);
  }
}

const edgeWatcher = new IntersectionObserver(
  (entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadOlder();
  },
  { root: els.scroll, rootMargin: "200px 0px 0px 0px" },
);

async function loadOlder() {
  if (loadingOlder || !state.more || state.oldestId === null) return;
  loadingOlder = true;
  const button = els.edge.querySelector("button");
  if (button) button.textContent = "Loading…";
  const ack = await call("channel:history", { channel_id: channelId, before_id: state.oldestId });
  loadingOlder = false;
  if (ack.error) {
    if (button) button.textContent = "Show earlier messages (try again)";
    return;
  }
  const height = els.scroll.scrollHeight;
  const top = els.scroll.scrollTop;
  state.more = ack.more;
  if (ack.messages.length) state.oldestId = ack.messages[0].id;
  for (const message of ack.messages) apply(message, { announce: false });
  els.scroll.scrollTop = top + (els.scroll.scrollHeight - height); // keep the reader's place
  edgeWatcher.disconnect();
  showEdge();
}

// --- sending --------------------------------------------------------------------------

function pendingList(pending) {
  if (pending.threadId === null) return els.list;
  return pending.threadId === state.thread ? els.threadReplies : null;
}

function showPending(pending) {
  const element = renderPending(pending, me);
  if (pending.element?.isConnected) pending.element.replaceWith(element);
  else pendingList(pending)?.append(element);
  pending.element = element;
}

function dropPending(clientId) {
  const pending = state.pending.get(clientId);
  if (!pending) return;
  pending.element?.remove();
  state.pending.delete(clientId);
}

function send(body, threadId) {
  const pending = {
    clientId: newClientId(),
    body,
    threadId,
    status: "sending",
    error: null,
    createdAt: new Date().toISOString(),
    element: null,
  };
  state.pending.set(pending.clientId, pending);
  showPending(pending);
  toBottom(threadId === null ? els.scroll : els.threadScroll);
  deliver(pending);
}

async function deliver(pending) {
  pending.status = "sending";
  showPending(pending);
  const ack = socket.connected
    ? await call("message:send", {
        channel_id: channelId,
        body: pending.body,
        client_id: pending.clientId, // the same id on a retry: the server never posts twice
        thread_id: pending.threadId,
      })
    : { error: { message: "you are offline right now." } };
  if (!state.pending.has(pending.clientId)) return; // confirmed meanwhile by the room event
  if (ack.error) {
    pending.status = "failed";
    pending.error = ack.error.message;
    showPending(pending);
    return;
  }
  const before = positions();
  afterChanges(apply(ack.message) ? [ack.message] : [], before);
  dropPending(pending.clientId);
}

function sendTyping(threadId) {
  if (socket.connected) socket.emit("typing", { channel_id: channelId, thread_id: threadId });
}

const mainForm = $("composer");
const mainComposer = mainForm
  ? wireComposer(mainForm, { send: (body) => send(body, null), typing: () => sendTyping(null) })
  : null;
const threadForm = $("thread-composer");
const threadComposer = threadForm
  ? wireComposer(threadForm, {
      send: (body) => send(body, state.thread),
      typing: () => sendTyping(state.thread),
    })
  : null;

// --- who is typing --------------------------------------------------------------------

const typers = new Map(); // "threadId:userId" -> {name, threadId, timer}

function stopTyping(userId, threadId) {
  const key = `${threadId ?? 0}:${userId}`;
  clearTimeout(typers.get(key)?.timer);
  if (typers.delete(key)) showTyping();
}

function showTyping() {
  const names = (threadId) =>
    [...typers.values()].filter((t) => t.threadId === threadId).map((t) => t.name);
  els.typing.textContent = typingText(names(null));
  els.threadTyping.textContent = state.thread === null ? "" : typingText(names(state.thread));
}

socket.on("typing", ({ channel_id, thread_id, user }) => {
  if (channel_id !== channelId || user.id === me.id) return;
  const key = `${thread_id ?? 0}:${user.id}`;
  clearTimeout(typers.get(key)?.timer);
  typers.set(key, {
    name: user.name,
    threadId: thread_id ?? null,
    timer: setTimeout(() => stopTyping(user.id, thread_id), 6000),
  });
  showTyping();
});

// --- the thread panel -----------------------------------------------------------------

const narrow = window.matchMedia("(max-width: 899px)");

function coverWhenNarrow() {
  // On a phone the panel is a full page: what is behind it must not take focus.
  const covered = state.thread !== null && narrow.matches;
  els.channel.inert = covered;
  if (els.sidebar) els.sidebar.inert = covered;
}
narrow.addEventListener("change", coverWhenNarrow);

function renderThread() {
  const root = state.messages.get(state.thread);
  els.threadRoot.replaceChildren();
  els.threadReplies.replaceChildren();
  threadElements.clear();
  if (!root) return;
  showInThread(root);
  const replies = [...state.messages.values()]
    .filter((m) => m.thread_id === state.thread)
    .sort((a, b) => a.id - b.id);
  for (const reply of replies) showInThread(reply);
  for (const pending of state.pending.values()) {
    if (pending.threadId === state.thread) {
      pending.element = null;
      showPending(pending);
    }
  }
}

async function openThread(rootId, { push = true, opener = null } = {}) {
  state.thread = rootId;
  state.threadOpener = opener;
  els.panel.hidden = false;
  els.layout.classList.add("thread-open");
  threadComposer?.setThread(rootId);
  coverWhenNarrow();
  renderThread();
  showTyping();
  if (push) history.pushState({ thread: rootId }, "", `/channels/${channelId}/threads/${rootId}`);
  els.threadTitle.focus();
  const ack = await call("thread:load", { message_id: rootId });
  if (state.thread !== rootId) return;
  if (ack.error) {
    els.threadCount.textContent = ack.error.message;
    return;
  }
  for (const message of [ack.root, ...ack.replies]) {
    const known = state.messages.get(message.id);
    if (!known || known.seq < message.seq) state.messages.set(message.id, message);
  }
  renderThread();
  toBottom(els.threadScroll);
}

function closeThread({ fromHistory = false } = {}) {
  if (state.thread === null) return;
  const rootId = state.thread;
  state.thread = null;
  els.panel.hidden = true;
  els.layout.classList.remove("thread-open");
  coverWhenNarrow();
  showTyping();
  if (!fromHistory) {
    if (history.state?.thread) history.back();
    else history.replaceState(null, "", `/channels/${channelId}`);
  }
  const back =
    (state.threadOpener?.isConnected && state.threadOpener) ||
    mainElements.get(rootId)?.querySelector("[data-action=open-thread]") ||
    mainComposer?.input;
  back?.focus();
}

window.addEventListener("popstate", () => {
  const match = location.pathname.match(/\/threads\/(\d+)$/);
  if (match) openThread(Number(match[1]), { push: false });
  else closeThread({ fromHistory: true });
});

els.closeThread.addEventListener("click", (event) => {
  event.preventDefault();
  closeThread();
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  if (closeOpenPicker()) return;
  if (state.thread !== null) closeThread();
});

// --- message actions ------------------------------------------------------------------

wireMessageActions([els.scroll, els.panel], {
  messages: state.messages,
  pending: state.pending,
  apply,
  afterChanges,
  positions,
  showEverywhere,
  deliver,
  dropPending,
  openThread,
});

// --- the channel itself changing: a pair ended, a community archived or renamed ----------

let locked = Boolean(data.channel.read_only);

function composerNote(text) {
  const note = document.createElement("p");
  note.className = "composer-note";
  note.setAttribute("role", "status");
  note.tabIndex = -1;
  note.textContent = text;
  return note;
}

// Read-only from now on: no message box, no buttons that would only be refused.
function lockChannel() {
  for (const right of Object.keys(rights)) rights[right] = false;
  const hadFocus = els.channel.contains(document.activeElement) && document.activeElement.matches("textarea");
  const note = composerNote("This conversation has ended. You can still read it.");
  const box = mainForm ?? document.querySelector("#channel > .composer-note");
  if (box) box.replaceWith(note);
  else els.channel.append(note);
  threadForm?.remove();
  for (const message of state.messages.values()) showEverywhere(message);
  if (hadFocus) note.focus();
  locked = true;
}

function channelChanged(channel) {
  if (channel.id !== channelId) return;
  if (channel.kind !== "pair" && channel.name) {
    $("channel-title").textContent = channel.name;
    document.title = `${channel.name} · Mentorspace`;
  }
  if (channel.read_only && !locked) {
    lockChannel();
  } else if (!channel.read_only && locked) {
    // Open again: the page as it is now has the message box back.
    const note = document.querySelector("#channel > .composer-note");
    const again = document.createElement("a");
    again.href = location.pathname;
    again.textContent = "Show the message box";
    note?.replaceChildren("This conversation is open again. ", again);
  }
}

function accountChanged() {
  // What I may do here follows my role: say so, and let the reader choose when to reload.
  const banner = $("connection-banner");
  const reload = document.createElement("a");
  reload.href = location.pathname;
  reload.textContent = "Show the page as it is now";
  banner.replaceChildren("Your coordinator has changed your account.", " ", reload);
  banner.hidden = false;
}

// --- start ----------------------------------------------------------------------------

function start() {
  for (const message of [...data.messages, ...data.thread]) state.messages.set(message.id, message);
  els.list.replaceChildren();
  for (const message of data.messages) showInMain(message);
  const firstUnread = mainElements.get(data.first_unread_id);
  if (firstUnread) {
    const divider = document.createElement("li");
    divider.className = "unread-divider";
    divider.id = "unread-divider";
    divider.append(document.createElement("span"));
    divider.firstChild.textContent = "New messages";
    firstUnread.before(divider);
    const offset = divider.getBoundingClientRect().top - els.scroll.getBoundingClientRect().top;
    els.scroll.scrollTop += offset - 24;
  } else {
    toBottom(els.scroll);
  }
  showEdge();
  keepTimesFresh();
  if (data.thread.length) openThread(data.thread[0].id, { push: false });
  markReadSoon();
}

start();
