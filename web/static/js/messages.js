// How a message looks, built with DOM calls: user text only ever as text, or as the server's
// sanitised `html`.  Buttons carry data-action; channel.js handles them in one place.
import { dueElement, timeElement } from "./time.js";

export const REACTIONS = [
  ["👍", "thumbs up"],
  ["❤️", "heart"],
  ["😊", "smile"],
  ["🎉", "celebrate"],
  ["🙏", "thank you"],
  ["💡", "good idea"],
];

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function button(action, label, className = "") {
  const element = el("button", className, label);
  element.type = "button";
  element.dataset.action = action;
  return element;
}

export function initials(name) {
  return (name || "?")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0])
    .join("")
    .toUpperCase();
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function head(name, createdAt, edited) {
  const line = el("p", "msg-head");
  line.append(el("span", "msg-author", name), " ", timeElement(createdAt));
  if (edited) line.append(" ", el("span", "msg-edited", "(edited)"));
  return line;
}

// A confirmed message.  view: {me, rights, channelId, inThread, prefix}
export function renderMessage(message, view) {
  const item = el("li", "msg");
  item.id = `${view.prefix}${message.id}`;
  item.dataset.id = String(message.id);
  item.dataset.seq = String(message.seq);
  const own = message.author?.id === view.me.id;
  if (own) item.classList.add("msg-own");

  if (message.kind === "system") {
    item.classList.add("msg-system");
    const body = el("div", "msg-body");
    body.innerHTML = message.html; // sanitised by the server on write
    item.append(body);
    return item;
  }

  const isTask = message.kind === "task" && message.task;
  const avatar = isTask ? taskMark(message.task) : el("span", "avatar", initials(message.author?.name));
  avatar.setAttribute("aria-hidden", "true");
  const main = el("div", "msg-main");
  if (isTask) {
    taskHead(item, main, message);
  } else {
    main.append(head(message.author?.name ?? "Someone", message.created_at, message.edited_at && !message.deleted));
  }

  if (message.deleted) {
    main.append(el("p", "msg-deleted", "This message was deleted."));
  } else {
    const body = el("div", "msg-body");
    body.innerHTML = message.html; // sanitised by the server on write
    main.append(body);
    if (isTask) main.append(...taskFooter(message, view));
  }

  if (message.reactions.length) main.append(reactionList(message, view));

  const topLevel = message.thread_id === null;
  if (topLevel && !view.inThread) {
    const href = `/channels/${view.channelId}/threads/${message.id}`;
    if (message.reply_count > 0) {
      const link = el("a", "thread-link", plural(message.reply_count, "reply", "replies"));
      link.href = href;
      link.dataset.action = "open-thread";
      main.append(link);
      if (message.last_reply_at) {
        const last = el("span", "last-reply", "last reply ");
        last.append(timeElement(message.last_reply_at, "last-reply-time"));
        main.append(last);
      }
    } else if (view.rights.reply && !message.deleted) {
      const link = el("a", "thread-link quiet", "Reply in thread");
      link.href = href;
      link.dataset.action = "open-thread";
      main.append(link);
    }
  }

  if (!message.deleted) {
    const actions = el("div", "msg-actions");
    actions.setAttribute("role", "group");
    actions.setAttribute("aria-label", `Actions for the message from ${message.author?.name ?? "someone"}`);
    if (view.rights.react) {
      const react = button("pick-reaction", "React");
      react.setAttribute("aria-expanded", "false");
      actions.append(react);
    }
    if (topLevel && !view.inThread && view.rights.reply) actions.append(button("open-thread", "Reply"));
    if (own && message.kind === "text" && view.rights.edit_own) actions.append(button("edit", "Edit"));
    if ((own && view.rights.edit_own) || view.rights.moderate) {
      actions.append(button("delete", "Delete", "danger"));
    }
    if (actions.children.length) main.append(actions);
  }
  item.append(avatar, main);
  return item;
}

// --- a task card: what the programme asks the pair to do, with its due date and done state ---

export function isOverdue(task, now = new Date()) {
  return !task.done && task.due_at !== null && new Date(task.due_at) <= now;
}

function taskMark(task) {
  return el("span", "task-mark", task.done ? "✓" : "");
}

function taskHead(item, main, message) {
  const task = message.task;
  item.classList.add("msg-task");
  item.classList.toggle("is-done", task.done);
  item.classList.toggle("is-overdue", isOverdue(task));
  const label = el("p", "task-label");
  label.append(el("span", "", "Task from your programme"), " · ", timeElement(message.created_at));
  if (task.late) label.append(" ", el("span", "task-late", "(posted late)"));
  main.append(label, el("p", "task-title", task.title));
}

function taskFooter(message, view) {
  const task = message.task;
  const parts = [];
  const due = el("p", "task-due");
  if (task.due_at) {
    due.append("Due ", dueElement(task.due_at));
    if (isOverdue(task)) due.append(" ", el("span", "task-overdue", "Overdue"));
  } else {
    due.append("No due date");
  }
  parts.push(due);
  if (task.done) {
    const state = el("p", "task-state");
    state.append(`Done by ${task.done_by?.name ?? "one of you"}, `, timeElement(task.done_at, "msg-time"));
    parts.push(state);
  }
  if (view.rights.reply) {
    const text = task.done ? "Done ✓ — undo" : "Mark as done";
    const toggle = button("complete-task", text, task.done ? "task-button is-done" : "task-button");
    toggle.dataset.done = String(!task.done);
    toggle.setAttribute("aria-label", `${text}: ${task.title}`);
    parts.push(toggle);
  }
  return parts;
}

function reactionList(message, view) {
  const list = el("ul", "reactions");
  list.setAttribute("aria-label", "Reactions");
  for (const reaction of message.reactions) {
    const mine = reaction.user_ids.includes(view.me.id);
    const entry = el("li");
    const toggle = button("react", "", "reaction");
    toggle.dataset.emoji = reaction.emoji;
    toggle.setAttribute("aria-pressed", String(mine));
    toggle.setAttribute(
      "aria-label",
      `${reaction.emoji} ${plural(reaction.count, "reaction", "reactions")}${mine ? ", including yours" : ""}`,
    );
    toggle.disabled = !view.rights.react;
    toggle.append(el("span", "", reaction.emoji), el("span", "reaction-count", String(reaction.count)));
    entry.append(toggle);
    list.append(entry);
  }
  return list;
}

export function renderPicker() {
  const picker = el("div", "emoji-picker");
  picker.setAttribute("role", "group");
  picker.setAttribute("aria-label", "Choose a reaction");
  for (const [emoji, name] of REACTIONS) {
    const choice = button("react", emoji);
    choice.dataset.emoji = emoji;
    choice.setAttribute("aria-label", `React with ${name}`);
    picker.append(choice);
  }
  return picker;
}

// A message on its way: shown at once as plain text; on failure it stays with Retry.
export function renderPending(pending, me) {
  const item = el("li", "msg msg-own msg-pending");
  item.dataset.clientId = pending.clientId;
  const avatar = el("span", "avatar", initials(me.name));
  avatar.setAttribute("aria-hidden", "true");
  const main = el("div", "msg-main");
  main.append(head(me.name, pending.createdAt, false), el("div", "msg-text", pending.body));
  const status = el("p", "msg-status");
  if (pending.status === "failed") {
    item.classList.add("msg-failed");
    status.setAttribute("role", "alert");
    status.append(
      el("span", "", `Not sent: ${pending.error}`),
      button("retry", "Try again", "small-button"),
      button("discard", "Remove", "small-button danger"),
    );
  } else {
    status.textContent = "Sending…";
  }
  main.append(status);
  item.append(avatar, main);
  return item;
}

export function editForm(message) {
  const form = el("form", "edit-form");
  const id = `edit-${message.id}-${Math.random().toString(36).slice(2, 8)}`;
  const label = el("label", "visually-hidden", "Edit your message");
  label.htmlFor = id;
  const input = el("textarea");
  input.id = id;
  input.value = message.body;
  input.rows = 3;
  input.maxLength = 10000;
  const buttons = el("div", "edit-buttons");
  const save = el("button", "small-button", "Save");
  save.type = "submit";
  buttons.append(save, button("cancel-edit", "Cancel", "small-button"), el("span", "hint", "Enter saves, Escape cancels."));
  const error = el("p", "msg-status");
  error.setAttribute("role", "alert");
  form.append(label, input, buttons, error);
  return form;
}

export function confirmDelete() {
  const box = el("p", "msg-status confirm-delete");
  box.append(
    el("span", "", "Delete this message?"),
    button("confirm-delete", "Delete", "small-button danger"),
    button("cancel-delete", "Keep it", "small-button"),
  );
  return box;
}

export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}
