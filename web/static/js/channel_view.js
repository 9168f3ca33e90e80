// The channel page's own parts: the list of messages, messages on their way, who is typing,
// the edge of the history, what a screen reader is told, and the page going read-only.  It
// draws what the model holds; the thread panel (thread_panel.js) draws the open thread.
import { renderMessage, renderPending, typingText } from "./messages.js";
import { showCount, showName } from "./tab_title.js";
import { gettext } from "./words.js";

const $ = (id) => document.getElementById(id);

export function nearBottom(scroller) {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
}

export function toBottom(scroller) {
  scroller.scrollTop = scroller.scrollHeight;
}

export function isEditing(element) {
  return Boolean(element?.querySelector(".edit-form"));
}

// Put `element` into `list` in id order; messages on their way stay last.
export function insertInOrder(list, element, id) {
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
export function replaceKeepingFocus(old, element) {
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  old.replaceWith(element);
  if (!focused || focused === old) return;
  const action = focused.getAttribute("data-action");
  const selector = action ? `[data-action="${CSS.escape(action)}"]` : focused.tagName.toLowerCase();
  const index = [...old.querySelectorAll(selector)].indexOf(focused);
  // The new drawing has its actions menu closed: a control that was in it is hidden now.
  const again = focused.closest(".msg-menu") ? element.querySelector("[data-action=menu]") : element.querySelectorAll(selector)[index];
  again?.focus({ preventScroll: true });
}

export function pageElements() {
  return {
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
    composer: $("composer"),
    threadComposer: $("thread-composer"),
  };
}

export function createChannelView(model, els) {
  const mainElements = new Map(); // id -> <li> in the channel list
  const pendingElements = new Map(); // client_id -> <li> of a message on its way
  const mainView = { me: model.me, rights: model.rights, channelId: model.channelId, inThread: false, prefix: "m-" };

  function showInMain(message) {
    const old = mainElements.get(message.id);
    if (isEditing(old)) return;
    if (!model.inMain(message)) {
      old?.remove();
      mainElements.delete(message.id);
      return;
    }
    const element = renderMessage(message, mainView);
    if (old) {
      replaceKeepingFocus(old, element);
    } else {
      if (!model.withinLoaded(message.id)) return;
      insertInOrder(els.list, element, message.id);
    }
    mainElements.set(message.id, element);
  }

  // The "New messages" line, before the first message that was unread when the page opened
  // (at the top of what is loaded while that one is older); drawn again as older pages load.
  function placeDivider() {
    const shown = [...els.list.querySelectorAll(":scope > .msg[data-id]")];
    const first = model.firstUnread(shown.map((element) => model.messages.get(Number(element.dataset.id))).filter(Boolean));
    let divider = $("unread-divider");
    if (!first) {
      divider?.remove();
      return;
    }
    if (!divider) {
      divider = document.createElement("li");
      divider.className = "unread-divider";
      divider.id = "unread-divider";
      divider.append(Object.assign(document.createElement("span"), { textContent: gettext("New messages") }));
    }
    const element = mainElements.get(first.id);
    if (element && element.previousElementSibling !== divider) element.before(divider);
  }

  // The server drew the first page with the same markup: take its nodes as they are.  The
  // page opens at the message it was asked for (a search result), else at the first unread.
  function adopt(messages, targetId = null) {
    for (const message of messages) {
      const element = document.getElementById(`m-${message.id}`);
      if (element) mainElements.set(message.id, element);
    }
    placeDivider();
    const divider = $("unread-divider");
    const target = targetId === null ? null : mainElements.get(targetId);
    if (target) {
      showTarget(target);
    } else if (divider) {
      const offset = divider.getBoundingClientRect().top - els.scroll.getBoundingClientRect().top;
      els.scroll.scrollTop += offset - 24;
    } else {
      toBottom(els.scroll);
    }
  }

  // Bring a message into the middle of its list and mark it for a moment (the mark is a CSS
  // animation on .is-target); the keyboard lands on it too.
  function showTarget(element) {
    element.classList.add("is-target");
    element.tabIndex = -1;
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
  }

  function positions() {
    return { mainWasAtBottom: nearBottom(els.scroll), threadWasAtBottom: nearBottom(els.threadScroll) };
  }

  // Scroll as people expect: follow new messages when at the bottom, else offer a jump.
  function scrollAfter(changed, { mainWasAtBottom, threadWasAtBottom }) {
    if (mainWasAtBottom) toBottom(els.scroll);
    else if (changed.some((m) => m.thread_id === null && m.created_seq === m.seq && m.author?.id !== model.me.id)) {
      els.jump.hidden = false;
    }
    if (model.thread !== null && threadWasAtBottom) toBottom(els.threadScroll);
  }

  function pendingList(pending) {
    if (pending.threadId === null) return els.list;
    return pending.threadId === model.thread ? els.threadReplies : null;
  }

  function showPending(pending, { again = false } = {}) {
    const element = renderPending(pending, model.me);
    const old = again ? null : pendingElements.get(pending.clientId);
    if (old?.isConnected) old.replaceWith(element);
    else pendingList(pending)?.append(element);
    pendingElements.set(pending.clientId, element);
  }

  function dropPending(clientId) {
    pendingElements.get(clientId)?.remove();
    pendingElements.delete(clientId);
  }

  function showTyping() {
    els.typing.textContent = typingText(model.typingNames(null));
    els.threadTyping.textContent = model.thread === null ? "" : typingText(model.typingNames(model.thread));
  }

  function announce(text) {
    els.announcer.textContent = text;
  }

  function showEdge(loadOlder, edgeWatcher) {
    if (!model.atLatest) return; // an old page keeps its plain links
    if (model.more) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "load-earlier";
      more.textContent = gettext("Show earlier messages");
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

  function composerNote(text) {
    const note = document.createElement("p");
    note.className = "composer-note";
    note.setAttribute("role", "status");
    note.tabIndex = -1;
    note.textContent = text;
    return note;
  }

  // Read-only from now on: no message box, no buttons that would only be refused.
  function showLocked() {
    const hadFocus = els.channel.contains(document.activeElement) && document.activeElement.matches("textarea");
    const note = composerNote(gettext("This conversation has ended. You can still read it."));
    const box = els.composer ?? document.querySelector("#channel > .composer-note");
    if (box) box.replaceWith(note);
    else els.channel.append(note);
    els.threadComposer?.remove();
    if (hadFocus) note.focus();
  }

  // Open again: the page as it is now has the message box back.
  function showUnlocked() {
    const note = document.querySelector("#channel > .composer-note");
    const again = document.createElement("a");
    again.href = location.pathname;
    again.textContent = gettext("Show the message box");
    note?.replaceChildren(`${gettext("This conversation is open again.")} `, again);
  }

  // The tab's title counts the messages I have not read here.
  function showTitle() {
    showCount("channel", model.unreadCount());
  }

  function showRenamed(name) {
    $("channel-title").textContent = name;
    showName(`${name} · Mentorspace`);
  }

  // What I may do here follows my role: say so, and let the reader choose when to reload.
  function showAccountChanged() {
    const banner = $("connection-banner");
    const reload = document.createElement("a");
    reload.href = location.pathname;
    reload.textContent = gettext("Show the page as it is now");
    banner.replaceChildren(gettext("Your coordinator has changed your account."), " ", reload);
    banner.hidden = false;
  }

  return {
    els,
    mainElements,
    showInMain,
    adopt,
    placeDivider,
    showTarget,
    positions,
    scrollAfter,
    showPending,
    dropPending,
    showTyping,
    announce,
    showEdge,
    showLocked,
    showUnlocked,
    showRenamed,
    showTitle,
    showAccountChanged,
  };
}
