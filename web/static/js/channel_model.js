// A channel as the browser knows it, without the page: every message in its latest state, the
// messages on their way, how far the changes are applied (seq), the open thread and who is
// typing.  channel.js feeds it what the server says and draws what it answers; nothing here
// touches the DOM, so `node --test` checks it (web/test/channel_model.test.js).
import { gettext } from "./words.js";

export class ChannelModel {
  constructor(data) {
    this.me = data.me;
    this.rights = data.rights;
    this.channelId = data.channel.id;
    this.locked = Boolean(data.channel.read_only);
    this.lastSeq = data.last_seq; // every change up to here is applied
    this.readSent = data.last_read_seq;
    // Unread when the page opened: the server's count, and the span of seqs that were new.
    this.readAtOpen = data.last_read_seq;
    this.seqAtOpen = data.last_seq;
    this.unreadAtOpen = data.unread ?? 0;
    this.arrived = []; // created_seq of each message from someone else since the page opened
    this.messages = new Map(); // id -> the latest state of every message we know
    for (const message of [...data.messages, ...data.thread]) this.messages.set(message.id, message);
    this.pending = new Map(); // client_id -> a message on its way (or failed)
    this.oldestId = data.messages[0]?.id ?? null;
    this.more = data.more;
    this.atLatest = data.at_latest;
    this.newestId = data.messages.at(-1)?.id ?? 0;
    this.thread = null; // the id of the open thread's root
    this.typers = new Map(); // "threadId:userId" -> {name, threadId}
    this.syncing = false;
    this.syncAgain = false;
  }

  // Take a message's new state: what changed, or null if we had it (or something newer).
  apply(message) {
    const known = this.messages.get(message.id) ?? null;
    if (known && known.seq >= message.seq) return null;
    this.messages.set(message.id, message);
    const own = message.author?.id === this.me.id;
    const confirmed = message.client_id && own && this.pending.delete(message.client_id) ? message.client_id : null;
    const isNew = !known && message.created_seq === message.seq && !message.deleted;
    const byOther = isNew && Boolean(message.author) && !own;
    const typingStopped = byOther && this.stopTyping(message.author.id, message.thread_id);
    if (byOther && message.created_seq > this.seqAtOpen) this.arrived.push(message.created_seq);
    return { message, known, isNew, byOther, confirmed, typingStopped };
  }

  // Keep a newer state without drawing it (a thread loaded, an edit saved while its form is open).
  remember(message) {
    const known = this.messages.get(message.id);
    if (!known || known.seq < message.seq) this.messages.set(message.id, message);
  }

  // A message from the room: applied, and whether a gap in the seqs means we must catch up.
  receive(message) {
    const change = this.apply(message);
    let gap = false;
    if (message.seq === this.lastSeq + 1) this.lastSeq = message.seq;
    else if (message.seq > this.lastSeq) gap = true; // something arrived out of order
    return { change, gap };
  }

  // Ask for every change since the last applied seq, page by page, until there is no more;
  // a sync asked for while one runs runs again after it.  fetchSince(seq) answers the
  // channel:sync ACK, or null when offline; onPage(changes) draws each page.
  async sync(fetchSince, onPage) {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      let more = true;
      while (more) {
        const ack = await fetchSince(this.lastSeq);
        if (!ack || ack.error) break;
        const changes = ack.changes.map((message) => this.apply(message)).filter(Boolean);
        this.lastSeq = Math.max(this.lastSeq, ack.last_seq);
        onPage(changes);
        more = ack.more;
      }
    } finally {
      this.syncing = false;
      if (this.syncAgain) {
        this.syncAgain = false;
        await this.sync(fetchSince, onPage);
      }
    }
  }

  // An older page of history arrived (the channel:history ACK): what changed.
  takeOlder(ack) {
    this.more = ack.more;
    if (ack.messages.length) this.oldestId = ack.messages[0].id;
    return ack.messages.map((message) => this.apply(message)).filter(Boolean);
  }

  // Whether the main list shows this message at all (a deleted one stays for its replies).
  inMain(message) {
    return message.thread_id === null && !(message.deleted && message.reply_count === 0);
  }

  // Whether a message new to the main list falls within what it has loaded.
  withinLoaded(id) {
    if (this.more && this.oldestId !== null && id < this.oldestId) return false; // not loaded yet
    return this.atLatest || id <= this.newestId; // an old page shows only its own
  }

  inOpenThread(message) {
    return this.thread !== null && (message.id === this.thread || message.thread_id === this.thread);
  }

  // The open thread's replies we know, oldest first.
  threadReplies() {
    return [...this.messages.values()]
      .filter((message) => message.thread_id === this.thread && this.thread !== null)
      .sort((a, b) => a.id - b.id);
  }

  // --- sending ---

  // attachments: the uploaded files' server answers ({id, name, ...}), in order.
  addPending(clientId, body, threadId, createdAt, attachments = []) {
    const pending = { clientId, body, threadId, attachments, status: "sending", error: null, createdAt };
    this.pending.set(clientId, pending);
    return pending;
  }

  // The send's ACK: null when it was confirmed meanwhile by the room event, else the change.
  sent(pending, ack) {
    if (!this.pending.has(pending.clientId)) return { confirmedBefore: true };
    if (ack.error) {
      pending.status = "failed";
      pending.error = ack.error.message;
      return { failed: true };
    }
    const change = this.apply(ack.message);
    this.pending.delete(pending.clientId);
    return { change };
  }

  // --- read state ---

  unreadSeen() {
    return this.lastSeq > this.readSent;
  }

  markedRead(seq) {
    this.readSent = Math.max(this.readSent, seq);
    if (this.readSent >= this.seqAtOpen) this.unreadAtOpen = 0;
    this.arrived = this.arrived.filter((seq) => seq > this.readSent);
  }

  // How many messages from others I have not read (the tab's title shows it).
  unreadCount() {
    return this.unreadAtOpen + this.arrived.length;
  }

  // The "New messages" line goes before the first message, of those `shown` (in order), that
  // was new to me when the page opened: placed by the read position, not by what is loaded.
  firstUnread(shown) {
    return firstUnread(shown, { after: this.readAtOpen, upTo: this.seqAtOpen, me: this.me.id });
  }

  // --- who is typing ---

  typing(user, threadId) {
    this.typers.set(`${threadId ?? 0}:${user.id}`, { name: user.name, threadId: threadId ?? null });
  }

  stopTyping(userId, threadId) {
    return this.typers.delete(`${threadId ?? 0}:${userId}`);
  }

  typingNames(threadId) {
    return [...this.typers.values()].filter((t) => t.threadId === threadId).map((t) => t.name);
  }

  // The channel became read-only (a pair ended, a community archived).
  lock() {
    // What was said there can still be reported (flags.py); nothing else can be done.
    for (const right of Object.keys(this.rights)) if (right !== "report") this.rights[right] = false;
    this.locked = true;
  }
}

// The first of `messages` (in order) someone else wrote after the read position `after`, and
// by `upTo` (later ones came live, below the line); null if none.
export function firstUnread(messages, { after, upTo, me }) {
  for (const message of messages) {
    const seq = message.created_seq;
    if (seq > after && seq <= upTo && message.author?.id !== me) return message;
  }
  return null;
}

// What a screen reader hears about a change, if anything: a message from someone else, a new
// task, or the partner marking one (as a sighted reader sees the card change).
export function announcement(change, me) {
  const { message, known } = change;
  if (change.byOther) {
    const values = { name: message.author.name, text: message.body.slice(0, 200) };
    return message.thread_id ? gettext("Reply in a thread from %(name)s: %(text)s", values) : gettext("New message from %(name)s: %(text)s", values);
  }
  const task = message.task;
  if (!task) return null;
  if (!known && message.created_seq === message.seq) return gettext("New task: %(title)s", { title: task.title });
  if (known?.task && known.task.done !== task.done) {
    const who = task.done ? task.done_by?.name : null;
    if (task.done && who && task.done_by.id !== me.id) return gettext("%(name)s marked the task %(title)s as done.", { name: who, title: task.title });
    if (!task.done) return gettext("The task %(title)s is not done any more.", { title: task.title });
  }
  return null;
}
