// Live unread counts and the pair partner's presence, wherever the menu is on the page.

export function startMenu(socket, me, currentChannelId = null) {
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
      element.querySelector(".presence-text").textContent = online ? "online" : "offline";
    }
  }

  // The server's word on counts and presence: on every (re)connect and after a read.
  let refreshing = null;
  async function refresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(async () => {
      let channels;
      try {
        const response = await fetch("/api/v1/channels", { credentials: "same-origin" });
        if (!response.ok) return;
        ({ channels } = await response.json());
      } catch {
        return; // offline: the next (re)connect refreshes again
      }
      for (const channel of channels) {
        setUnread(channel.id, channel.unread);
        if (channel.partner) setPresence(channel.partner.id, channel.partner.online);
      }
    }, 150);
  }

  socket.on("connect", refresh);
  socket.on("read", refresh);
  socket.on("presence", ({ user_id, online }) => setPresence(user_id, online));
  socket.on("message", (message) => {
    const isNew = message.created_seq === message.seq && !message.deleted;
    if (!isNew || message.author?.id === me.id) return;
    const count = unreadOf(message.channel_id);
    if (count !== null) setUnread(message.channel_id, count + 1);
  });
  return { refresh };
}
