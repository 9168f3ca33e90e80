// Live unread counts and the pair partner's presence, wherever the menu is on the page; and
// the menus themselves, drawn again when a coordinator pairs, ends a pair, changes the role's
// menu or the account.
import { call } from "./live.js";
import { gettext } from "./words.js";

// Swap in the server's fresh menus, keeping the keyboard on the link it was on.
async function redrawMenus(currentChannelId) {
  const query = new URLSearchParams({ here: location.pathname.replace(/\/threads\/\d+$/, "") });
  if (currentChannelId !== null) query.set("current", String(currentChannelId));
  const fresh = new Map();
  for (const nav of document.querySelectorAll("[data-menu]")) {
    const id = nav.dataset.menuId;
    if (fresh.has(id)) continue;
    query.set("menu_id", id);
    let response;
    try {
      response = await fetch(`/menu?${query}`, { credentials: "same-origin" });
    } catch {
      return false; // offline: the next (re)connect draws them again
    }
    if (!response.ok) return false;
    const template = document.createElement("template");
    template.innerHTML = await response.text(); // the server's own escaped template
    fresh.set(id, template.content);
  }
  const focused = document.activeElement?.closest("[data-menu], [data-programme-menu]")
    ? document.activeElement.getAttribute("href")
    : null;
  for (const nav of document.querySelectorAll("[data-menu]")) {
    const replacement = fresh.get(nav.dataset.menuId)?.querySelector("[data-menu]");
    if (replacement) nav.replaceWith(replacement.cloneNode(true));
  }
  const programme = document.querySelector("[data-programme-menu]");
  const newProgramme = fresh.values().next().value?.querySelector("[data-programme-menu]");
  if (programme && newProgramme) programme.replaceWith(newProgramme);
  if (focused) document.querySelector(`[data-menu] a[href="${CSS.escape(focused)}"]`)?.focus();
  return true;
}

export function startMenu(socket, me, currentChannelId = null, { onChannel, onAccount } = {}) {
  const links = () => document.querySelectorAll("[data-menu] [data-channel-id]");

  function setUnread(channelId, count) {
    for (const link of links()) {
      if (Number(link.dataset.channelId) !== channelId) continue;
      const badge = link.querySelector(".unread");
      badge.dataset.unread = String(count);
      badge.querySelector(".unread-count").textContent = String(count);
      badge.hidden = count <= 0 || channelId === currentChannelId;
    }
  }

  function unreadOf(channelId) {
    for (const link of links()) {
      if (Number(link.dataset.channelId) === channelId) {
        return Number(link.querySelector(".unread").dataset.unread) || 0;
      }
    }
    return null;
  }

  function setPresence(userId, online) {
    for (const element of document.querySelectorAll(`[data-presence-user="${userId}"]`)) {
      element.classList.toggle("is-online", online);
      element.querySelector(".presence-text").textContent = online ? gettext("online") : gettext("offline");
    }
  }

  // The server's word on counts and presence: on every (re)connect and after a read.
  const countedLive = new Map(); // channel id -> seqs of the new messages counted live
  // A presence event newer than a refresh's question wins over its answer (which the server
  // may have taken just before that person came or went).
  let presenceEvents = 0;
  const presenceHeard = new Map(); // user id -> number of the last presence event about them
  let refreshing = null;
  async function refresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(async () => {
      const asked = presenceEvents;
      let channels;
      try {
        const response = await fetch("/api/v1/channels", { credentials: "same-origin" });
        if (!response.ok) return;
        ({ channels } = await response.json());
      } catch {
        return; // offline: the next (re)connect refreshes again
      }
      for (const channel of channels) {
        // The answer was taken at some moment; messages counted live since then stay counted.
        const later = [...(countedLive.get(channel.id) ?? [])].filter((s) => s > channel.last_seq);
        countedLive.set(channel.id, new Set(later));
        setUnread(channel.id, channel.unread + later.length);
        const heardSince = (presenceHeard.get(channel.partner?.id) ?? 0) > asked;
        if (channel.partner && !heardSince) setPresence(channel.partner.id, channel.partner.online);
      }
    }, 150);
  }

  let drawnOnce = false;
  async function redraw() {
    if (await redrawMenus(currentChannelId)) refresh();
  }

  socket.on("connect", () => {
    // A reconnect may have missed a pairing or a new menu: draw the menus again then.
    if (drawnOnce) redraw();
    else refresh();
    drawnOnce = true;
  });
  socket.on("read", refresh);
  // A channel that is new to me (paired, joined) or changed (ended, renamed, archived).
  socket.on("channel", async (channel) => {
    if (channel.is_member !== false) await call("channel:subscribe", { channel_id: channel.id });
    await redraw();
    onChannel?.(channel);
  });
  socket.on("menu", ({ role }) => {
    if (role === me.role) redraw();
  });
  // My account changed (a new role): who I am, and so my menus, are the server's to say.
  socket.on("account", async () => {
    try {
      const response = await fetch("/api/v1/me", { credentials: "same-origin" });
      if (response.ok) Object.assign(me, (await response.json()).user);
    } catch {
      // offline: the menus are drawn again on reconnect
    }
    await redraw();
    onAccount?.(me);
  });
  // A questionnaire opened for me (or closes tomorrow): the menu counts those waiting.
  socket.on("notification", (notification) => {
    if (notification.kind === "questionnaire") redraw();
  });
  socket.on("presence", ({ user_id, online }) => {
    presenceHeard.set(user_id, ++presenceEvents);
    setPresence(user_id, online);
  });
  socket.on("message", (message) => {
    const isNew = message.created_seq === message.seq && !message.deleted;
    if (!isNew || message.author?.id === me.id) return;
    const count = unreadOf(message.channel_id);
    if (count === null) return;
    if (!countedLive.has(message.channel_id)) countedLive.set(message.channel_id, new Set());
    countedLive.get(message.channel_id).add(message.seq);
    setUnread(message.channel_id, count + 1);
  });
  return { refresh };
}
