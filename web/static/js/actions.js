// What people do to a message: react, edit, delete (moderators too), open its thread, mark a
// task done or not done, and retry or drop a send that failed.  One click handler serves the
// channel and the thread panel.  A message's actions sit behind one button (…): a disclosure
// that Escape, a tap or click elsewhere, or the keyboard leaving it closes; arrows move in it.
import { touchScreen } from "./composer.js";
import { enterSends, problem } from "./composer_model.js";
import { call } from "./live.js";
import { confirmDelete, editForm, renderPicker } from "./messages.js";

// channel: what channel.js hands over: the model's messages and pending sends, and the
// functions that change and draw them.
export function wireMessageActions(roots, channel) {
  const onAction = (event) => act(channel, event);
  for (const root of roots) {
    root.addEventListener("click", onAction);
    root.addEventListener("keydown", moveInMenu);
    root.addEventListener("focusout", (event) => {
      const actions = event.target.closest(".msg-actions");
      if (actions && event.relatedTarget && !actions.contains(event.relatedTarget)) closeMenu(actions);
    });
  }
  document.addEventListener("click", (event) => {
    for (const actions of document.querySelectorAll(".msg-actions.is-open")) {
      if (!actions.contains(event.target)) closeMenu(actions);
    }
  });
}

function openMenu(actions) {
  for (const other of document.querySelectorAll(".msg-actions.is-open")) closeMenu(other);
  const menu = actions.querySelector(".msg-menu");
  menu.hidden = false;
  actions.classList.add("is-open");
  actions.querySelector("[data-action=menu]").setAttribute("aria-expanded", "true");
  menu.querySelector("button, a")?.focus();
}

// focus: put the keyboard back on the menu's button (it was in the menu).
function closeMenu(actions, { focus = false } = {}) {
  const opener = actions.querySelector("[data-action=menu]");
  actions.querySelector(".msg-menu").hidden = true;
  actions.classList.remove("is-open");
  opener.setAttribute("aria-expanded", "false");
  if (focus) opener.focus();
}

// Close the open actions menu (Escape); true if there was one.
export function closeOpenMenu() {
  const actions = document.querySelector(".msg-actions.is-open");
  if (!actions) return false;
  closeMenu(actions, { focus: actions.contains(document.activeElement) });
  return true;
}

function moveInMenu(event) {
  const menu = event.target.closest(".msg-menu");
  const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
  if (!menu || !step) return;
  event.preventDefault();
  const items = [...menu.querySelectorAll("button, a")];
  const next = (items.indexOf(event.target) + step + items.length) % items.length;
  items[next].focus();
}

// Where the keyboard goes back to on a message after one of its actions: the actions button.
export function actionsButton(item) {
  return item?.querySelector("[data-action=menu]") ?? null;
}

// Close an open reaction picker (Escape); true if there was one.
export function closeOpenPicker() {
  const picker = document.querySelector(".emoji-picker");
  if (!picker) return false;
  closePicker(picker);
  return true;
}

function messageOf(channel, target) {
  const item = target.closest(".msg");
  const id = Number(item?.dataset.id);
  return { item, message: channel.messages.get(id) };
}

function closePicker(picker) {
  const item = picker.closest(".msg");
  picker.remove();
  item?.querySelector("[data-action=pick-reaction]")?.setAttribute("aria-expanded", "false");
  actionsButton(item)?.focus();
}

async function withAck(channel, item, event, payload) {
  const ack = await call(event, payload);
  if (ack.error) {
    const note = document.createElement("p");
    note.className = "msg-status";
    note.setAttribute("role", "alert");
    note.textContent = ack.error.message;
    item.querySelector(".msg-main")?.append(note);
    setTimeout(() => note.remove(), 6000);
    return null;
  }
  channel.take(ack.message);
  return ack.message;
}

function startEdit(channel, item, message) {
  const form = editForm(message, touchScreen);
  const input = form.querySelector("textarea");
  const finish = () => {
    form.remove();
    item.querySelector(".msg-body")?.removeAttribute("hidden");
    channel.redraw(message.id);
    actionsButton(document.getElementById(item.id))?.focus();
  };
  const save = async () => {
    const body = input.value;
    if (!body.trim() || body === message.body) return finish();
    const tooLong = problem(body, false, channel.maxBody);
    if (tooLong) {
      form.querySelector(".msg-status").textContent = tooLong;
      return;
    }
    const ack = await call("message:edit", { message_id: message.id, body });
    if (ack.error) {
      form.querySelector(".msg-status").textContent = ack.error.message;
      return;
    }
    channel.remember(ack.message);
    finish();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-action=cancel-edit]")) finish();
  });
  input.addEventListener("keydown", (event) => {
    if (enterSends(event, touchScreen)) {
      event.preventDefault();
      save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      finish();
    }
  });
  const body = item.querySelector(".msg-body");
  body.hidden = true;
  body.after(form);
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

async function act(channel, event) {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  const action = target.dataset.action;
  if (action === "menu") {
    const actions = target.closest(".msg-actions");
    if (actions.classList.contains("is-open")) closeMenu(actions, { focus: true });
    else openMenu(actions);
    return;
  }
  const inMenu = target.closest(".msg-actions");
  if (inMenu) closeMenu(inMenu, { focus: true });
  if (action === "report") return; // a link to the page that shows what would be shared
  const { item, message } = messageOf(channel, target);
  if (action === "retry" || action === "discard") {
    const pending = channel.pending.get(item?.dataset.clientId);
    if (!pending) return;
    if (action === "retry") channel.deliver(pending);
    else channel.discard(pending.clientId);
    return;
  }
  if (!message) return;
  event.preventDefault();
  if (action === "open-thread") {
    channel.openThread(message.id, { from: target });
  } else if (action === "pick-reaction") {
    const open = item.querySelector(".emoji-picker");
    document.querySelectorAll(".emoji-picker").forEach((picker) => picker.remove());
    if (open) {
      target.setAttribute("aria-expanded", "false");
      return;
    }
    const picker = renderPicker();
    item.querySelector(".msg-main").append(picker);
    target.setAttribute("aria-expanded", "true");
    picker.querySelector("button").focus();
  } else if (action === "react") {
    item.querySelector(".emoji-picker")?.remove();
    await withAck(channel, item, "reaction:toggle", { message_id: message.id, emoji: target.dataset.emoji });
  } else if (action === "edit") {
    startEdit(channel, item, message);
  } else if (action === "delete") {
    item.querySelector(".confirm-delete")?.remove();
    const box = confirmDelete();
    item.querySelector(".msg-main").append(box);
    box.querySelector("[data-action=cancel-delete]").focus();
  } else if (action === "cancel-delete") {
    item.querySelector(".confirm-delete")?.remove();
    actionsButton(item)?.focus();
  } else if (action === "confirm-delete") {
    await withAck(channel, item, "message:delete", { message_id: message.id });
  } else if (action === "complete-task") {
    target.disabled = true; // one click, one change
    const done = target.dataset.done === "true";
    const changed = await withAck(channel, item, "task:complete", { message_id: message.id, done });
    if (!changed) target.disabled = false;
    // The card was drawn again: keep the keyboard where it was.
    document.getElementById(item.id)?.querySelector("[data-action=complete-task]")?.focus();
  }
}
