// The tab's title: the page's name, after a count of what is unread when there is any.  The
// bell (on every page) and a channel page both give their count; on a channel page the
// channel's own count wins, as it is about what the reader has in front of her.
const counts = new Map(); // "bell" | "channel" -> count
let name = document.title.replace(/^\(\d+\) /, "");

function draw() {
  const count = counts.get("channel") ?? counts.get("bell") ?? 0;
  document.title = count > 0 ? `(${count}) ${name}` : name;
}

export function showCount(source, count) {
  counts.set(source, count);
  draw();
}

// The page's name changed (a community renamed): `title` as the page's <title> has it.
export function showName(title) {
  name = title;
  draw();
}
