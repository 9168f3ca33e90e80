// How a message looks: a copy of the page's <template id="message-template">, which the server
// renders from _message.html (the partial that also draws the messages read without
// JavaScript) with every part present; filled in and pruned here for one message.  User text
// only ever as text, or as the server's sanitised `html`.  Buttons carry data-action;
// actions.js handles them in one place.
import { refresh } from "./time.js";
import { fileSize } from "./uploads_model.js";
import { gettext, ngettext } from "./words.js";

export const REACTIONS = [
  ["👍", gettext("thumbs up")],
  ["❤️", gettext("heart")],
  ["😊", gettext("smile")],
  ["🎉", gettext("celebrate")],
  ["🙏", gettext("thank you")],
  ["💡", gettext("good idea")],
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

// Whose photo the page knows (user id -> its address); the others show their initials.
const photos = new Map();
export function knowPhotos(known = {}) {
  for (const [id, url] of Object.entries(known)) photos.set(Number(id), url);
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

function skeleton() {
  return document.getElementById("message-template").content.firstElementChild.cloneNode(true);
}

// Take a part out, with the space the partial wrote before it.
function drop(element) {
  if (!element) return;
  const before = element.previousSibling;
  if (before?.nodeType === Node.TEXT_NODE && !before.textContent.trim()) before.remove();
  element.remove();
}

// The page's language ("da" on a page whose <html lang> is "da-DK").
function pageLanguage() {
  return (globalThis.document?.documentElement?.lang || "en").split("-")[0];
}

// A system message the programme wrote, in the reader's language (its `notice` holds the
// words in every language); any other as it is stored.
export function noticeHtml(message, language = pageLanguage()) {
  return message.notice?.html?.[language] ?? message.html;
}

function setTime(element, iso) {
  element.dateTime = iso;
  refresh(element);
}

// A confirmed message.  view: {me, rights, channelId, inThread, prefix}
export function renderMessage(message, view) {
  const item = skeleton();
  const part = (selector) => item.querySelector(selector);
  const own = message.author?.id === view.me.id;
  const task = message.kind === "task" ? message.task : null;
  const questionnaire = message.kind === "questionnaire" ? message.questionnaire : null;
  item.id = `${view.prefix}${message.id}`;
  item.dataset.id = String(message.id);
  item.dataset.seq = String(message.seq);
  if (own) item.classList.add("msg-own");

  const systemBody = part(":scope > .msg-body");
  if (message.kind === "system") {
    item.classList.add("msg-system");
    systemBody.innerHTML = noticeHtml(message); // sanitised by the server
    for (const other of [...item.children].slice(1)) drop(other);
    return item;
  }
  drop(systemBody);

  if (task || questionnaire) {
    drop(part(":scope > .avatar"));
    part(":scope > .task-mark").textContent = task?.done ? "✓" : "";
    drop(part(".msg-head"));
  } else {
    drop(part(":scope > .task-mark"));
    const avatar = part(":scope > .avatar");
    const photo = photos.get(message.author?.id);
    if (photo) avatar.querySelector("img").src = photo;
    else avatar.textContent = initials(message.author?.name);
    const author = part(".msg-author");
    author.textContent = message.author?.name ?? gettext("Someone");
    if (message.author) author.href = `/people/${message.author.id}`;
    setTime(part(".msg-head time"), message.created_at);
    if (!message.edited_at || message.deleted) drop(part(".msg-edited"));
  }
  if (task) {
    setTime(part(".task-label time"), message.created_at);
    if (!task.late) drop(part(".task-late"));
    part(".task-title").textContent = task.title;
  } else {
    drop(part(".task-label"));
    drop(part(".task-title"));
  }
  if (questionnaire) {
    item.classList.add("msg-questionnaire");
    setTime(part(".questionnaire-label time"), message.created_at);
    if (!questionnaire.anonymous) drop(part(".questionnaire-anonymous"));
    part(".questionnaire-title").textContent = questionnaire.title;
  } else {
    drop(part(".questionnaire-label"));
    drop(part(".questionnaire-title"));
  }

  if (message.deleted) {
    for (const selector of [".msg-main > .msg-body", ".resource-card", ".goal-card", ".attachments", ".questionnaire-due", ".questionnaire-open", ".task-due", ".task-state", ".task-form"]) {
      drop(part(selector));
    }
  } else {
    drop(part(".msg-deleted"));
    part(".msg-main > .msg-body").innerHTML = message.html; // sanitised by the server on write
    if (message.resource) fillResourceCard(part(".resource-card"), message.resource);
    else drop(part(".resource-card"));
    if (message.goal) fillGoalCard(part(".goal-card"), message.goal, message.channel_id);
    else drop(part(".goal-card"));
    fillAttachments(part(".attachments"), message.attachments ?? []);
    if (questionnaire) fillQuestionnaire(item, questionnaire);
    else for (const selector of [".questionnaire-due", ".questionnaire-open"]) drop(part(selector));
    if (task) fillTask(item, message, view);
    else for (const selector of [".task-due", ".task-state", ".task-form"]) drop(part(selector));
  }

  fillReactions(part(".reactions"), message, view);
  const top = message.thread_id === null && !view.inThread;
  fillThreadLinks(item, message, view, top);

  // Someone else's words, to the coordinators: a link to the page that asks first (in the
  // actions, and for reading without JavaScript under the message).
  const reportable = !message.deleted && !own && message.author && message.kind === "text" && !message.goal && view.rights.report;
  const reportHref = `/messages/${message.id}/report`;
  if (reportable) part(".msg-report-link").setAttribute("href", reportHref);
  else drop(part(".msg-report-link"));
  const actions = part(".msg-actions");
  if (message.deleted) {
    drop(actions);
  } else {
    const opener = actions.querySelector("[data-action=menu]");
    opener.setAttribute("aria-label", gettext("Actions for the message from %(name)s", { name: message.author?.name ?? gettext("someone") }));
    const menu = actions.querySelector(".msg-menu");
    const allowed = {
      "pick-reaction": view.rights.react,
      // A goal's card changes and goes with its goal (the goals page), never on its own.
      edit: own && message.kind === "text" && !message.goal && view.rights.edit_own,
      delete: !message.goal && ((own && view.rights.edit_own) || view.rights.moderate),
      report: reportable,
    };
    for (const choice of menu.querySelectorAll("[data-action]")) if (!allowed[choice.dataset.action]) choice.remove();
    menu.querySelector("[data-action=report]")?.setAttribute("href", reportHref);
    if (!menu.children.length) drop(actions);
  }
  return item;
}

// --- a library resource shared as a card: the server decides, when it is opened, who may ---

function fillResourceCard(card, resource) {
  const part = (selector) => card.querySelector(selector);
  if (resource.audience === "everyone") drop(part(".resource-card-audience"));
  else part(".resource-card-audience").textContent = gettext(" · for %(audience)s only", { audience: resource.audience });
  const title = part(".resource-card-title");
  title.href = resource.url;
  title.textContent = resource.title;
  if (resource.description && !resource.removed) part(".resource-card-description").textContent = resource.description;
  else drop(part(".resource-card-description"));
  if (!resource.removed) drop(part(".resource-card-removed"));
}

// --- a goal of the pair, as a card: drawn again whenever the goal or a milestone changes ---

function fillGoalCard(card, goal, channelId) {
  const part = (selector) => card.querySelector(selector);
  card.classList.add(`goal-${goal.status}`);
  part(".goal-status").textContent = gettext(goal.status_label); // the page carries the labels
  const title = part(".goal-card-title");
  title.setAttribute("href", `/channels/${channelId}/goals#goal-${goal.id}`);
  title.textContent = goal.title;
  const list = part(".goal-card-milestones");
  if (!goal.milestones.length) {
    drop(list);
    drop(part(".goal-card-progress"));
    return;
  }
  const entry = list.querySelector("li");
  const gap = entry.previousSibling;
  const entries = goal.milestones.map((milestone, index) => {
    const copy = entry.cloneNode(true);
    if (milestone.done) copy.classList.add("is-done");
    copy.querySelector(".milestone-mark").textContent = milestone.done ? "✓" : "";
    copy.querySelector(".milestone-title").textContent = milestone.title;
    copy.querySelector(".milestone-state").textContent = milestone.done ? gettext(" (done)") : gettext(" (not done yet)");
    return index && gap ? [gap.cloneNode(), copy] : [copy];
  });
  entry.replaceWith(...entries.flat());
  part(".goal-card-progress").textContent = gettext("%(done)s of %(total)s milestones done", { done: goal.milestones_done, total: goal.milestones.length });
}

// --- a questionnaire card: the same for every reader, never who answered ---

export function questionnaireDue(questionnaire, now = new Date()) {
  return new Date(questionnaire.closes_at) <= now ? gettext("Closed") : gettext("Answers until");
}

function fillQuestionnaire(item, questionnaire) {
  item.querySelector(".questionnaire-due-label").textContent = questionnaireDue(questionnaire);
  setTime(item.querySelector(".questionnaire-closes"), questionnaire.closes_at);
  const open = item.querySelector(".questionnaire-open");
  open.setAttribute("href", questionnaire.url);
  open.setAttribute("aria-label", gettext("Open the questionnaire: %(title)s", { title: questionnaire.title }));
}

// --- a task card: what the programme asks the pair to do, with its due date and done state ---

export function isOverdue(task, now = new Date()) {
  return !task.done && task.due_at !== null && new Date(task.due_at) <= now;
}

// Cards whose due time has passed since they were drawn turn overdue, as the server would draw
// them (web/templates/_message.html).  Returns the milliseconds until the next card falls due.
export function markOverdue(root, now = new Date()) {
  let next = Infinity;
  for (const card of root.querySelectorAll(".msg-task:not(.is-done):not(.is-overdue)")) {
    const due = card.querySelector(".task-due-time");
    const label = card.querySelector(".task-overdue");
    const at = new Date(due?.dateTime ?? "");
    if (!label || Number.isNaN(at.getTime())) continue;
    if (at > now) {
      next = Math.min(next, at - now);
      continue;
    }
    card.classList.add("is-overdue");
    label.hidden = false;
  }
  return next;
}

// Keep checking while the page is open: at the next card's due time, and at least every
// 30 seconds (a card that arrives live is seen then).
export function keepOverdueFresh(root = document) {
  const check = () => {
    const next = markOverdue(root);
    setTimeout(check, Math.min(Math.max(next, 1000), 30000));
  };
  check();
}

function fillTask(item, message, view) {
  const task = message.task;
  const part = (selector) => item.querySelector(selector);
  const overdue = isOverdue(task);
  item.classList.add("msg-task");
  if (task.done) item.classList.add("is-done");
  if (overdue) item.classList.add("is-overdue");
  if (task.due_at) {
    setTime(part(".task-due-time"), task.due_at);
    if (task.done) drop(part(".task-overdue"));
    else part(".task-overdue").hidden = !overdue; // shown by markOverdue when the time comes
    drop(part(".task-no-due"));
  } else {
    drop(part(".task-due-on"));
  }
  if (task.done) {
    const state = part(".task-state");
    state.firstChild.textContent = gettext("Done by %(name)s, ", { name: task.done_by?.name ?? gettext("one of you") });
    setTime(state.querySelector("time"), task.done_at);
  } else {
    drop(part(".task-state"));
  }
  const form = part(".task-form");
  if (!view.rights.reply) {
    drop(form);
    return;
  }
  form.setAttribute("action", `/channels/${view.channelId}/tasks/${message.id}`);
  const [markDone, undo] = form.querySelectorAll(".task-button");
  const toggle = task.done ? undo : markDone;
  drop(task.done ? markDone : undo);
  toggle.setAttribute("aria-label", `${toggle.textContent}: ${task.title}`);
}

// A message's files: an image as its thumbnail (a link to the picture itself), anything else
// as a card with its name, type and size.
function fillAttachments(list, attachments) {
  if (!attachments.length) {
    drop(list);
    return;
  }
  const entry = list.querySelector("li");
  const gap = entry.previousSibling;
  const entries = attachments.map((file, index) => {
    const copy = entry.cloneNode(true);
    const picture = copy.querySelector(".attachment-picture");
    const card = copy.querySelector(".attachment-card");
    if (file.thumbnail_url) {
      drop(card);
      picture.setAttribute("href", file.url);
      picture.title = file.name;
      const image = picture.querySelector("img");
      image.src = file.thumbnail_url;
      image.alt = file.name;
      image.width = file.width;
      image.height = file.height;
    } else {
      drop(picture);
      card.setAttribute("href", file.url);
      card.querySelector(".attachment-name").textContent = file.name;
      card.querySelector(".attachment-meta").textContent = `${gettext(file.label)} · ${fileSize(file.size)}`;
    }
    return index ? [gap.cloneNode(), copy] : [copy];
  });
  entry.replaceWith(...entries.flat());
}

function fillReactions(list, message, view) {
  if (!message.reactions.length) {
    drop(list);
    return;
  }
  const entry = list.querySelector("li");
  const gap = entry.previousSibling;
  const entries = message.reactions.map((reaction, index) => {
    const copy = entry.cloneNode(true);
    const mine = reaction.user_ids.includes(view.me.id);
    const toggle = copy.querySelector("button");
    toggle.dataset.emoji = reaction.emoji;
    toggle.setAttribute("aria-pressed", String(mine));
    toggle.setAttribute(
      "aria-label",
      ngettext("%(emoji)s %(num)s reaction", "%(emoji)s %(num)s reactions", reaction.count, { emoji: reaction.emoji, num: reaction.count }) + (mine ? gettext(", including yours") : ""),
    );
    toggle.disabled = !view.rights.react;
    const [emoji, count] = toggle.children;
    emoji.textContent = reaction.emoji;
    count.textContent = String(reaction.count);
    return index ? [gap.cloneNode(), copy] : [copy];
  });
  entry.replaceWith(...entries.flat());
}

function fillThreadLinks(item, message, view, top) {
  const replies = item.querySelector(".thread-link:not(.quiet)");
  const last = item.querySelector(".last-reply");
  const quiet = item.querySelector(".thread-link.quiet");
  const href = `/channels/${view.channelId}/threads/${message.id}`;
  if (top && message.reply_count > 0) {
    replies.setAttribute("href", href);
    replies.textContent = ngettext("%(num)s reply", "%(num)s replies", message.reply_count, { num: message.reply_count });
    if (message.last_reply_at) setTime(last.querySelector("time"), message.last_reply_at);
    else drop(last);
  } else {
    drop(replies);
    drop(last);
  }
  if (top && message.reply_count === 0 && view.rights.reply && !message.deleted) quiet.setAttribute("href", href);
  else drop(quiet);
}

export function renderPicker() {
  const picker = el("div", "emoji-picker");
  picker.setAttribute("role", "group");
  picker.setAttribute("aria-label", gettext("Choose a reaction"));
  for (const [emoji, name] of REACTIONS) {
    const choice = button("react", emoji);
    choice.dataset.emoji = emoji;
    choice.setAttribute("aria-label", gettext("React with %(name)s", { name }));
    picker.append(choice);
  }
  return picker;
}

// A message on its way: shown at once as plain text; on failure it stays with Retry.
export function renderPending(pending, me) {
  const draft = { id: 0, seq: 0, kind: "text", author: me, created_at: pending.createdAt, thread_id: null };
  const item = renderMessage(
    { ...draft, html: "", edited_at: null, deleted: false, reply_count: 0, reactions: [], attachments: pending.attachments },
    { me, rights: {}, channelId: 0, inThread: true, prefix: "" },
  );
  item.removeAttribute("id");
  delete item.dataset.id;
  delete item.dataset.seq;
  item.classList.add("msg-pending");
  item.dataset.clientId = pending.clientId;
  const text = item.querySelector(".msg-body");
  text.className = "msg-text";
  text.textContent = pending.body;
  const status = el("p", "msg-status");
  if (pending.status === "failed") {
    item.classList.add("msg-failed");
    status.setAttribute("role", "alert");
    status.append(
      el("span", "", gettext("Not sent: %(reason)s", { reason: pending.error })),
      button("retry", gettext("Try again"), "small-button"),
      button("discard", gettext("Remove"), "small-button danger"),
    );
  } else {
    status.textContent = gettext("Sending…");
  }
  item.querySelector(".msg-main").append(status);
  return item;
}

// touch: on a touch screen Enter makes a new line and Save saves.
export function editForm(message, touch) {
  const form = el("form", "edit-form");
  const id = `edit-${message.id}-${Math.random().toString(36).slice(2, 8)}`;
  const label = el("label", "visually-hidden", gettext("Edit your message"));
  label.htmlFor = id;
  const input = el("textarea");
  input.id = id;
  input.value = message.body;
  input.rows = 3;
  const buttons = el("div", "edit-buttons");
  const save = el("button", "small-button", gettext("Save"));
  save.type = "submit";
  buttons.append(save, button("cancel-edit", gettext("Cancel"), "small-button"), el("span", "hint", touch ? gettext("Enter starts a new line.") : gettext("Enter saves, Escape cancels.")));
  const error = el("p", "msg-status");
  error.setAttribute("role", "alert");
  form.append(label, input, buttons, error);
  return form;
}

export function confirmDelete() {
  const box = el("p", "msg-status confirm-delete");
  box.append(
    el("span", "", gettext("Delete this message?")),
    button("confirm-delete", gettext("Delete"), "small-button danger"),
    button("cancel-delete", gettext("Keep it"), "small-button"),
  );
  return box;
}

export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return gettext("%(name)s is typing…", { name: names[0] });
  if (names.length === 2) return gettext("%(one)s and %(other)s are typing…", { one: names[0], other: names[1] });
  return gettext("Several people are typing…");
}
