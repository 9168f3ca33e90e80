// A channel, live: the server's page becomes a model (channel_model.js) kept up to date by
// socket events; after any reconnect the client asks for every change since the last seq it
// has seen.  This module wires the socket, the forms and the page to the model and its views.
import { closeOpenMenu, closeOpenPicker, wireMessageActions } from "./actions.js";
import { announcement, ChannelModel } from "./channel_model.js";
import { createChannelView, nearBottom, pageElements, toBottom } from "./channel_view.js";
import { wireComposer } from "./composer.js";
import { call, connect, newClientId, pageData } from "./live.js";
import { keepOverdueFresh } from "./messages.js";
import { startMenu } from "./menu.js";
import { knowPhotos } from "./messages.js";
import { wireMentions } from "./mentions.js";
import { createThreadPanel } from "./thread_panel.js";
import { keepTimesFresh } from "./time.js";
import { gettext } from "./words.js";

function start() {
  const data = pageData();
  knowPhotos(data.photos);
  const model = new ChannelModel(data);
  const socket = connect();
  const view = createChannelView(model, pageElements());
  const els = view.els;
  const composers = {};
  const panel = createThreadPanel(model, view, { call, composers });
  const typingTimers = new Map(); // "threadId:userId" -> the timer that forgets a typist
  let readTimer = null;
  let syncTimer = null;
  let loadingOlder = false;

  // --- drawing what changed -----------------------------------------------------------

  function showEverywhere(message) {
    if (message.thread_id === null) view.showInMain(message);
    if (model.inOpenThread(message)) panel.show(message);
  }

  function show(change, { announce = true } = {}) {
    if (change.confirmed) view.dropPending(change.confirmed);
    showEverywhere(change.message);
    if (change.typingStopped) view.showTyping();
    const text = announce ? announcement(change, model.me) : null;
    if (text) view.announce(text);
  }

  // Draw changes the model took, keep the reader's scroll, and mark them read.
  function showChanges(changes, before) {
    for (const change of changes) show(change);
    if (!changes.length) return;
    view.showTitle();
    view.scrollAfter(
      changes.map((change) => change.message),
      before,
    );
    markReadSoon();
  }

  // One message from an ACK: taken, drawn, scrolled to.
  function take(message) {
    const before = view.positions();
    const change = model.apply(message);
    showChanges(change ? [change] : [], before);
  }

  // --- live events and catching up ------------------------------------------------------

  function sync() {
    return model.sync(
      (sinceSeq) => (socket.connected ? call("channel:sync", { channel_id: model.channelId, since_seq: sinceSeq }) : null),
      (changes) => showChanges(changes, view.positions()),
    );
  }

  function syncSoon() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, 300);
  }

  socket.on("connect", sync);
  socket.on("message", (message) => {
    if (message.channel_id !== model.channelId) return;
    const before = view.positions();
    const { change, gap } = model.receive(message);
    showChanges(change ? [change] : [], before);
    if (gap) syncSoon();
  });

  // --- read state -----------------------------------------------------------------------

  function markReadSoon() {
    clearTimeout(readTimer);
    readTimer = setTimeout(markRead, 400);
  }

  async function markRead() {
    if (document.visibilityState !== "visible" || !socket.connected) return;
    if (!nearBottom(els.scroll) || !model.unreadSeen()) return;
    const ack = await call("channel:read", { channel_id: model.channelId, seq: model.lastSeq });
    if (ack.error) return;
    model.markedRead(ack.last_read_seq);
    view.showTitle();
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

  const edgeWatcher = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadOlder();
    },
    { root: els.scroll, rootMargin: "200px 0px 0px 0px" },
  );

  async function loadOlder() {
    if (loadingOlder || !model.more || model.oldestId === null) return;
    loadingOlder = true;
    const button = els.edge.querySelector("button");
    if (button) button.textContent = gettext("Loading…");
    const ack = await call("channel:history", { channel_id: model.channelId, before_id: model.oldestId });
    loadingOlder = false;
    if (ack.error) {
      if (button) button.textContent = gettext("Show earlier messages (try again)");
      return;
    }
    const height = els.scroll.scrollHeight;
    const top = els.scroll.scrollTop;
    for (const change of model.takeOlder(ack)) show(change, { announce: false });
    view.placeDivider();
    els.scroll.scrollTop = top + (els.scroll.scrollHeight - height); // keep the reader's place
    edgeWatcher.disconnect();
    view.showEdge(loadOlder, edgeWatcher);
  }

  // --- sending --------------------------------------------------------------------------

  function send(body, threadId, attachments = []) {
    const pending = model.addPending(newClientId(), body, threadId, new Date().toISOString(), attachments);
    view.showPending(pending);
    toBottom(threadId === null ? els.scroll : els.threadScroll);
    deliver(pending);
  }

  async function deliver(pending) {
    pending.status = "sending";
    view.showPending(pending);
    const ack = socket.connected
      ? await call("message:send", {
          channel_id: model.channelId,
          body: pending.body,
          client_id: pending.clientId, // the same id on a retry: the server never posts twice
          thread_id: pending.threadId,
          attachments: pending.attachments.map((file) => file.id),
        })
      : { error: { message: gettext("you are offline right now.") } };
    const before = view.positions();
    const result = model.sent(pending, ack);
    if (result.confirmedBefore) return;
    if (result.failed) {
      view.showPending(pending);
      return;
    }
    showChanges(result.change ? [result.change] : [], before);
    view.dropPending(pending.clientId);
  }

  function discard(clientId) {
    model.pending.delete(clientId);
    view.dropPending(clientId);
  }

  function sendTyping(threadId) {
    if (socket.connected) socket.emit("typing", { channel_id: model.channelId, thread_id: threadId });
  }

  const maxFileBytes = data.files.max_bytes;
  if (els.composer) {
    composers.main = wireComposer(els.composer, {
      send: (body, attachments) => send(body, null, attachments),
      typing: () => sendTyping(null),
      maxFileBytes,
      maxLength: data.max_body,
    });
    wireMentions(els.composer, model.channelId);
  }
  if (els.threadComposer) {
    composers.thread = wireComposer(els.threadComposer, {
      send: (body, attachments) => send(body, model.thread, attachments),
      typing: () => sendTyping(model.thread),
      maxFileBytes,
      maxLength: data.max_body,
    });
    wireMentions(els.threadComposer, model.channelId);
  }

  // Files dropped anywhere on the channel (or the open thread) go to its composer.
  function acceptDrops(area, composer) {
    if (!area || !composer) return;
    area.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      area.classList.add("is-dropping");
    });
    area.addEventListener("dragleave", (event) => {
      if (!area.contains(event.relatedTarget)) area.classList.remove("is-dropping");
    });
    area.addEventListener("drop", (event) => {
      area.classList.remove("is-dropping");
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      composer.addFiles([...event.dataTransfer.files]);
    });
  }
  acceptDrops(els.channel, composers.main);
  acceptDrops(els.panel, composers.thread);

  // --- who is typing --------------------------------------------------------------------

  socket.on("typing", ({ channel_id, thread_id, user }) => {
    if (channel_id !== model.channelId || user.id === model.me.id) return;
    const key = `${thread_id ?? 0}:${user.id}`;
    clearTimeout(typingTimers.get(key));
    model.typing(user, thread_id);
    typingTimers.set(
      key,
      setTimeout(() => {
        if (model.stopTyping(user.id, thread_id)) view.showTyping();
      }, 6000),
    );
    view.showTyping();
  });

  // --- message actions and the keyboard ---------------------------------------------------

  wireMessageActions([els.scroll, els.panel], {
    messages: model.messages,
    pending: model.pending,
    remember: (message) => model.remember(message),
    take,
    redraw: (id) => showEverywhere(model.messages.get(id)),
    deliver,
    discard,
    openThread: panel.open,
    maxBody: data.max_body,
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (closeOpenMenu() || closeOpenPicker()) return;
    if (model.thread !== null) panel.close();
  });

  // --- the channel itself changing: a pair ended, a community archived or renamed ----------

  function channelChanged(channel) {
    if (channel.id !== model.channelId) return;
    // A pair and a coordinator line are titled by the person, not by the stored name.
    if (!["pair", "coordinator_line"].includes(channel.kind) && channel.name) {
      view.showRenamed(channel.name);
    }
    if (channel.read_only && !model.locked) {
      model.lock();
      view.showLocked();
      for (const message of model.messages.values()) showEverywhere(message);
    } else if (!channel.read_only && model.locked) {
      view.showUnlocked();
    }
  }

  startMenu(socket, model.me, model.channelId, { onChannel: channelChanged, onAccount: view.showAccountChanged });

  // --- start ----------------------------------------------------------------------------

  view.adopt(data.messages, data.target_id);
  view.showTitle();
  view.showEdge(loadOlder, edgeWatcher);
  keepTimesFresh();
  keepOverdueFresh();
  if (data.thread.length) panel.open(data.thread[0].id, { push: false, target: data.target_id });
  markReadSoon();
}

start();
