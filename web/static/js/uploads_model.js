// The files a composer is about to send, without the page: each one's state (uploading with
// its progress, done with the server's file id, failed with the reason), what may be added,
// and whether the message can go.  uploads.js does the uploading and the drawing; nothing here
// touches the DOM or the network, so `node --test` checks it (web/test/uploads_model.test.js).
import { gettext, ngettext } from "./words.js";

export const MAX_FILES = 10; // a message's files at most, as the server counts them

// The decimal sign of a locale ("da-DK" writes 2,5): the page's own language by default.
function decimalSign(locale) {
  try {
    return new Intl.NumberFormat(locale || "en").format(1.5).charAt(1);
  } catch {
    return "."; // a language tag the browser does not know
  }
}

// "512 bytes", "2.5 KB", "340 KB", "12 MB" (in Danish "512 byte", "2,5 KB"): whole-number
// arithmetic, as the server's channels/files/wire.py file_size does it, so a live message reads
// like a reloaded one.
export function fileSize(size, locale = globalThis.document?.documentElement.lang) {
  if (size < 1024) return ngettext("%(num)s byte", "%(num)s bytes", size, { num: size });
  const point = decimalSign(locale);
  const units = [
    ["KB", 1024],
    ["MB", 1024 ** 2],
    ["GB", 1024 ** 3],
  ];
  for (const [unit, scale] of units) {
    const tenths = Math.floor((size * 10 + Math.floor(scale / 2)) / scale);
    if (tenths < 100) return `${Math.floor(tenths / 10)}${point}${tenths % 10} ${unit}`;
    const whole = Math.floor((size + Math.floor(scale / 2)) / scale);
    if (whole < 1024 || unit === "GB") return `${whole} ${unit}`;
  }
  return ngettext("%(num)s byte", "%(num)s bytes", size, { num: size });
}

export class UploadList {
  // maxBytes: the server's limit a file (page data); the server checks it again.
  constructor({ maxBytes = Infinity, maxFiles = MAX_FILES } = {}) {
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.items = []; // in the order chosen: the order the message will carry them
    this.nextKey = 1;
  }

  // A file chosen, dropped or pasted: the new item (uploading), or {error} and nothing added.
  add(file) {
    if (this.items.length >= this.maxFiles) {
      return { error: gettext("A message can have at most %(num)s files.", { num: this.maxFiles }) };
    }
    if (file.size > this.maxBytes) {
      return { error: gettext("%(name)s is too large: at most %(size)s a file.", { name: file.name, size: fileSize(this.maxBytes) }) };
    }
    const item = {
      key: this.nextKey++,
      name: file.name || gettext("pasted image"),
      size: file.size,
      file, // kept to try again
      status: "uploading",
      loaded: 0,
      error: null,
      uploaded: null, // the server's answer: {id, name, type, ...}
    };
    this.items.push(item);
    return { item };
  }

  get(key) {
    return this.items.find((item) => item.key === key) ?? null;
  }

  progress(key, loaded) {
    const item = this.get(key);
    if (item && item.status === "uploading") item.loaded = Math.min(loaded, item.size);
    return item;
  }

  done(key, uploaded) {
    const item = this.get(key);
    if (!item) return null;
    item.status = "done";
    item.loaded = item.size;
    item.uploaded = uploaded;
    return item;
  }

  failed(key, message) {
    const item = this.get(key);
    if (!item) return null;
    item.status = "failed";
    item.error = message;
    return item;
  }

  retry(key) {
    const item = this.get(key);
    if (!item || item.status !== "failed") return null;
    item.status = "uploading";
    item.loaded = 0;
    item.error = null;
    return item;
  }

  remove(key) {
    const item = this.get(key);
    this.items = this.items.filter((other) => other.key !== key);
    return item;
  }

  clear() {
    this.items = [];
  }

  // 0-100, for the progress bar.
  percent(item) {
    if (item.status === "done" || item.size === 0) return item.status === "done" ? 100 : 0;
    return Math.floor((item.loaded * 100) / item.size);
  }

  get empty() {
    return this.items.length === 0;
  }

  get uploading() {
    return this.items.some((item) => item.status === "uploading");
  }

  get anyFailed() {
    return this.items.some((item) => item.status === "failed");
  }

  // Every file uploaded: the message may go, with these ids in order.
  ready() {
    return !this.empty && this.items.every((item) => item.status === "done");
  }

  ids() {
    return this.items.filter((item) => item.status === "done").map((item) => item.uploaded.id);
  }

  // What a screen reader hears about the list now.
  summary() {
    if (this.empty) return "";
    const waiting = this.items.filter((item) => item.status === "uploading").length;
    const failed = this.items.filter((item) => item.status === "failed").length;
    const parts = [ngettext("%(num)s file", "%(num)s files", this.items.length, { num: this.items.length })];
    if (waiting) parts.push(gettext("%(num)s uploading", { num: waiting }));
    if (failed) parts.push(gettext("%(num)s not uploaded", { num: failed }));
    return parts.join(", ");
  }
}
