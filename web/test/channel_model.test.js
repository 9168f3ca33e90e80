// The channel model alone, without a browser: applying changes, seq sync and what is announced.
import assert from "node:assert/strict";
import { test } from "node:test";

import { announcement, ChannelModel, firstUnread } from "../static/js/channel_model.js";

const ME = { id: 1, name: "Maria Jensen" };
const PARTNER = { id: 2, name: "Ole Berg" };

function message(id, seq, fields = {}) {
  return {
    id,
    channel_id: 7,
    seq,
    created_seq: seq,
    thread_id: null,
    kind: "text",
    author: PARTNER,
    body: `message ${id}`,
    html: `<p>message ${id}</p>`,
    client_id: null,
    deleted: false,
    reply_count: 0,
    reactions: [],
    task: null,
    ...fields,
  };
}

function model(fields = {}) {
  return new ChannelModel({
    me: ME,
    rights: { post: true, reply: true, react: true, edit_own: true, moderate: false },
    channel: { id: 7, kind: "pair", name: null, read_only: false },
    last_seq: 2,
    last_read_seq: 2,
    unread: 0,
    at_latest: true,
    more: false,
    messages: [message(1, 1), message(2, 2)],
    thread: [],
    ...fields,
  });
}

test("a newer state of a message is applied once; an older or equal one is ignored", () => {
  const channel = model();
  const edited = message(1, 3, { created_seq: 1, body: "edited" });
  const change = channel.apply(edited);
  assert.equal(change.known.body, "message 1");
  assert.equal(change.isNew, false);
  assert.equal(channel.messages.get(1).body, "edited");
  assert.equal(channel.apply(edited), null);
  assert.equal(channel.apply(message(1, 1)), null);
  assert.equal(channel.messages.get(1).body, "edited");
});

test("a live message in seq order moves the last seq on; a gap asks for a sync", () => {
  const channel = model();
  const next = channel.receive(message(3, 3));
  assert.equal(next.gap, false);
  assert.equal(next.change.isNew, true);
  assert.equal(channel.lastSeq, 3);
  const ahead = channel.receive(message(5, 5));
  assert.equal(ahead.gap, true);
  assert.equal(channel.lastSeq, 3, "a change after a gap does not count as caught up");
  assert.equal(channel.receive(message(3, 3)).change, null, "a repeat changes nothing");
});

test("sync pages through every change since the last seq, then stops", async () => {
  const channel = model();
  const asked = [];
  const pages = [
    { changes: [message(3, 3), message(1, 4, { created_seq: 1, deleted: true })], last_seq: 4, more: true },
    { changes: [message(5, 5)], last_seq: 5, more: false },
  ];
  const drawn = [];
  await channel.sync(
    async (since) => {
      asked.push(since);
      return pages.shift();
    },
    (changes) => drawn.push(changes.map((change) => change.message.id)),
  );
  assert.deepEqual(asked, [2, 4]);
  assert.deepEqual(drawn, [[3, 1], [5]]);
  assert.equal(channel.lastSeq, 5);
  assert.equal(channel.messages.get(1).deleted, true);
});

test("a sync asked for while one runs runs again after it, from where the first stopped", async () => {
  const channel = model();
  const asked = [];
  let release;
  const first = new Promise((resolve) => (release = resolve));
  const answers = [first, Promise.resolve({ changes: [], last_seq: 4, more: false })];
  const running = channel.sync(
    (since) => {
      asked.push(since);
      return answers.shift();
    },
    () => {},
  );
  await channel.sync(() => assert.fail("a second sync must wait for the first"), () => {});
  release({ changes: [message(3, 3)], last_seq: 3, more: false });
  await running;
  assert.deepEqual(asked, [2, 3]);
  assert.equal(channel.lastSeq, 4);
  assert.equal(channel.syncing, false);
});

test("sync stops at an error or when offline, and keeps the last seq", async () => {
  const channel = model();
  await channel.sync(async () => ({ error: { code: "forbidden" } }), () => assert.fail("nothing to draw"));
  await channel.sync(async () => null, () => assert.fail("nothing to draw"));
  assert.equal(channel.lastSeq, 2);
});

test("my own message confirms the send with its client id", () => {
  const channel = model();
  const pending = channel.addPending("abc", "hello", null, "2025-01-01T10:00:00+00:00");
  const change = channel.apply(message(3, 3, { author: ME, client_id: "abc" }));
  assert.equal(change.confirmed, "abc");
  assert.equal(change.byOther, false);
  assert.equal(channel.pending.size, 0);
  assert.deepEqual(channel.sent(pending, { message: message(3, 3) }), { confirmedBefore: true });
});

test("a failed send stays with its error; a later ACK applies the message", () => {
  const channel = model();
  const pending = channel.addPending("abc", "hello", null, "2025-01-01T10:00:00+00:00");
  assert.deepEqual(channel.sent(pending, { error: { message: "you are offline right now." } }), { failed: true });
  assert.equal(pending.status, "failed");
  assert.equal(channel.pending.get("abc").error, "you are offline right now.");
  const { change } = channel.sent(pending, { message: message(3, 3, { author: ME, client_id: "abc" }) });
  assert.equal(change.message.id, 3);
  assert.equal(channel.pending.size, 0);
});

test("a message from someone typing ends their typing", () => {
  const channel = model();
  channel.typing(PARTNER, null);
  channel.typing({ id: 3, name: "Ida" }, 9);
  assert.deepEqual(channel.typingNames(null), ["Ole Berg"]);
  assert.equal(channel.apply(message(3, 3)).typingStopped, true);
  assert.deepEqual(channel.typingNames(null), []);
  assert.deepEqual(channel.typingNames(9), ["Ida"]);
});

test("older history moves the oldest id and says whether there is more", () => {
  const channel = model({ more: true });
  assert.equal(channel.withinLoaded(0), false);
  const changes = channel.takeOlder({ messages: [message(-1, 0)], more: false });
  assert.deepEqual(
    changes.map((change) => change.message.id),
    [-1],
  );
  assert.equal(channel.oldestId, -1);
  assert.equal(channel.withinLoaded(0), true);
});

test("an old page of history shows only its own messages", () => {
  const channel = model({ at_latest: false });
  assert.equal(channel.withinLoaded(2), true);
  assert.equal(channel.withinLoaded(3), false);
});

test("the main list keeps a deleted message only while it has replies", () => {
  const channel = model();
  assert.equal(channel.inMain(message(1, 3, { deleted: true })), false);
  assert.equal(channel.inMain(message(1, 3, { deleted: true, reply_count: 1 })), true);
  assert.equal(channel.inMain(message(4, 4, { thread_id: 1 })), false);
});

test("the open thread's replies come oldest first", () => {
  const channel = model();
  channel.apply(message(5, 5, { thread_id: 1 }));
  channel.apply(message(4, 4, { thread_id: 1 }));
  channel.apply(message(6, 6, { thread_id: 2 }));
  channel.thread = 1;
  assert.deepEqual(
    channel.threadReplies().map((reply) => reply.id),
    [4, 5],
  );
  assert.equal(channel.inOpenThread(message(5, 5, { thread_id: 1 })), true);
  assert.equal(channel.inOpenThread(message(6, 6, { thread_id: 2 })), false);
});

test("remember keeps only a newer state", () => {
  const channel = model();
  channel.remember(message(1, 5, { created_seq: 1, body: "newer" }));
  channel.remember(message(1, 4, { created_seq: 1, body: "older" }));
  assert.equal(channel.messages.get(1).body, "newer");
});

test("a read is sent only for changes past the last one marked read", () => {
  const channel = model();
  assert.equal(channel.unreadSeen(), false);
  channel.receive(message(3, 3));
  assert.equal(channel.unreadSeen(), true);
  channel.markedRead(3);
  assert.equal(channel.unreadSeen(), false);
  channel.markedRead(1);
  assert.equal(channel.readSent, 3);
});

test("locking takes every right away, in the object the views share", () => {
  const channel = model();
  const rights = channel.rights;
  channel.lock();
  assert.equal(channel.locked, true);
  assert.ok(Object.values(rights).every((right) => right === false));
});

test("what a screen reader hears", () => {
  const channel = model();
  const fromPartner = channel.apply(message(3, 3, { body: "x".repeat(300) }));
  assert.equal(announcement(fromPartner, ME), `New message from Ole Berg: ${"x".repeat(200)}`);
  const reply = channel.apply(message(4, 4, { thread_id: 3, body: "hi" }));
  assert.equal(announcement(reply, ME), "Reply in a thread from Ole Berg: hi");
  const mine = channel.apply(message(5, 5, { author: ME }));
  assert.equal(announcement(mine, ME), null);

  const task = { title: "Set goals", due_at: null, late: false, done: false, done_at: null, done_by: null };
  const card = channel.apply(message(6, 6, { kind: "task", author: null, task }));
  assert.equal(announcement(card, ME), "New task: Set goals");
  const doneTask = { ...task, done: true, done_at: "2025-01-01T10:00:00+00:00", done_by: PARTNER };
  const done = channel.apply(message(6, 7, { created_seq: 6, kind: "task", author: null, task: doneTask }));
  assert.equal(announcement(done, ME), "Ole Berg marked the task Set goals as done.");
  const undone = channel.apply(message(6, 8, { created_seq: 6, kind: "task", author: null, task }));
  assert.equal(announcement(undone, ME), "The task Set goals is not done any more.");
  const byMe = { ...doneTask, done_by: ME };
  const doneByMe = channel.apply(message(6, 9, { created_seq: 6, kind: "task", author: null, task: byMe }));
  assert.equal(announcement(doneByMe, ME), null);
});

test("the unread count: the server's at opening, then each new message from someone else", () => {
  const channel = model({ last_seq: 5, last_read_seq: 2, unread: 3 });
  assert.equal(channel.unreadCount(), 3);
  channel.receive(message(6, 6));
  channel.receive(message(7, 7, { author: ME }));
  channel.receive(message(8, 8, { thread_id: 6 })); // a reply counts as the server counts it
  channel.receive(message(6, 9, { created_seq: 6, body: "edited" })); // not new
  assert.equal(channel.unreadCount(), 5);
  channel.markedRead(6); // read up to the first that came live
  assert.equal(channel.unreadCount(), 1);
  channel.markedRead(9);
  assert.equal(channel.unreadCount(), 0);
});

test("a read position short of the opening keeps the server's count", () => {
  const channel = model({ last_seq: 5, last_read_seq: 2, unread: 3 });
  channel.markedRead(4);
  assert.equal(channel.unreadCount(), 3);
});

test("the New messages line goes by the read position, not by what is loaded", () => {
  const shown = [message(10, 10, { author: ME }), message(11, 11), message(12, 12), message(13, 13)];
  // Read up to 10: the first unread is 11 (mine at 10 is not new to me).
  assert.equal(firstUnread(shown, { after: 9, upTo: 13, me: ME.id }).id, 11);
  // Read up to 5 (older than everything loaded): the top of what is loaded that is not mine.
  assert.equal(firstUnread(shown, { after: 5, upTo: 13, me: ME.id }).id, 11);
  // What came live after the page opened is never above the line.
  assert.equal(firstUnread(shown, { after: 11, upTo: 11, me: ME.id }), null);
  // Once older pages load, the line moves up to the first that was unread.
  const more = [message(4, 4), message(6, 6), ...shown];
  assert.equal(firstUnread(more, { after: 5, upTo: 13, me: ME.id }).id, 6);
  assert.equal(model({ last_seq: 2, last_read_seq: 0 }).firstUnread([message(1, 1), message(2, 2)]).id, 1);
});
