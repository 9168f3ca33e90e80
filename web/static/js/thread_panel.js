// The thread panel: one message and its replies beside the channel (a page of its own on a
// phone), with its own address, so Back and a shared link open and close it.
import { insertInOrder, isEditing, replaceKeepingFocus, toBottom } from "./channel_view.js";
import { renderMessage } from "./messages.js";
import { ngettext } from "./words.js";

export function createThreadPanel(model, view, { call, composers }) {
  const els = view.els;
  const threadElements = new Map(); // id -> <li> among the open thread's replies
  const threadView = { me: model.me, rights: model.rights, channelId: model.channelId, inThread: true, prefix: "t-" };
  const narrow = window.matchMedia("(max-width: 899px)");
  let opener = null; // what had the keyboard when the thread opened

  function coverWhenNarrow() {
    // On a phone the panel is a full page: what is behind it must not take focus.
    const covered = model.thread !== null && narrow.matches;
    els.channel.inert = covered;
    if (els.sidebar) els.sidebar.inert = covered;
  }
  narrow.addEventListener("change", coverWhenNarrow);

  function updateCount(root) {
    const count = root.reply_count;
    els.threadCount.textContent = ngettext("%(num)s reply", "%(num)s replies", count, { num: count });
  }

  function show(message) {
    if (message.id === model.thread) {
      const old = els.threadRoot.firstElementChild;
      if (!isEditing(old)) els.threadRoot.replaceChildren(renderMessage(message, threadView));
      updateCount(message);
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

  function redraw() {
    const root = model.messages.get(model.thread);
    els.threadRoot.replaceChildren();
    els.threadReplies.replaceChildren();
    threadElements.clear();
    if (!root) return;
    show(root);
    for (const reply of model.threadReplies()) show(reply);
    for (const pending of model.pending.values()) {
      if (pending.threadId === model.thread) view.showPending(pending, { again: true });
    }
  }

  // target: a reply to bring into view and mark (the page was opened at it from a search).
  async function open(rootId, { push = true, from = null, target = null } = {}) {
    model.thread = rootId;
    opener = from;
    els.panel.hidden = false;
    els.layout.classList.add("thread-open");
    composers.thread?.setThread(rootId);
    coverWhenNarrow();
    redraw();
    view.showTyping();
    if (push) history.pushState({ thread: rootId }, "", `/channels/${model.channelId}/threads/${rootId}`);
    els.threadTitle.focus();
    const ack = await call("thread:load", { message_id: rootId });
    if (model.thread !== rootId) return;
    if (ack.error) {
      els.threadCount.textContent = ack.error.message;
      return;
    }
    for (const message of [ack.root, ...ack.replies]) model.remember(message);
    redraw();
    const targetElement = target === null ? null : threadElements.get(target);
    if (targetElement) view.showTarget(targetElement);
    else toBottom(els.threadScroll);
  }

  function close({ fromHistory = false } = {}) {
    if (model.thread === null) return;
    const rootId = model.thread;
    model.thread = null;
    els.panel.hidden = true;
    els.layout.classList.remove("thread-open");
    coverWhenNarrow();
    view.showTyping();
    if (!fromHistory) {
      if (history.state?.thread) history.back();
      else history.replaceState(null, "", `/channels/${model.channelId}`);
    }
    const back =
      (opener?.isConnected && opener) ||
      view.mainElements.get(rootId)?.querySelector("[data-action=open-thread]") ||
      composers.main?.input;
    back?.focus();
  }

  window.addEventListener("popstate", () => {
    const match = location.pathname.match(/\/threads\/(\d+)$/);
    if (match) open(Number(match[1]), { push: false });
    else close({ fromHistory: true });
  });
  els.closeThread.addEventListener("click", (event) => {
    event.preventDefault();
    close();
  });

  return { show, open, close };
}
