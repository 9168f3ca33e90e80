// The files of a composer alone, without a browser: what may be added, progress, failures and
// retries, and when the message may go.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fileSize, MAX_FILES, UploadList } from "../static/js/uploads_model.js";

const file = (name, size) => ({ name, size });

test("sizes read as the server writes them", () => {
  const cases = [
    [0, "0 bytes"],
    [1, "1 byte"],
    [1023, "1023 bytes"],
    [1024, "1.0 KB"],
    [2304, "2.3 KB"],
    [10188, "9.9 KB"],
    [10240, "10 KB"],
    [1048064, "1.0 MB"],
    [1572864, "1.5 MB"],
    [26214400, "25 MB"],
    [5 * 1024 ** 3, "5.0 GB"],
  ];
  for (const [size, text] of cases) assert.equal(fileSize(size), text, String(size));
});

test("a Danish page writes a decimal comma, as the server does for it", () => {
  assert.equal(fileSize(1572864, "da-DK"), "1,5 MB");
  assert.equal(fileSize(26214400, "da-DK"), "25 MB");
  assert.equal(fileSize(1572864, "en-GB"), "1.5 MB");
});

test("a message waits until every file is uploaded, in the order chosen", () => {
  const list = new UploadList({ maxBytes: 1000 });
  const first = list.add(file("a.pdf", 400)).item;
  const second = list.add(file("b.png", 100)).item;
  assert.equal(list.ready(), false);
  assert.equal(list.uploading, true);
  list.progress(first.key, 200);
  assert.equal(list.percent(first), 50);
  list.progress(first.key, 9999); // never past the file's size
  assert.equal(list.percent(first), 100);
  list.done(second.key, { id: "B" });
  assert.equal(list.ready(), false);
  list.done(first.key, { id: "A" });
  assert.equal(list.ready(), true);
  assert.deepEqual(list.ids(), ["A", "B"]);
  assert.equal(list.summary(), "2 files");
});

test("a failed upload blocks the message until it is tried again or removed", () => {
  const list = new UploadList();
  const item = list.add(file("cv.docx", 10)).item;
  list.failed(item.key, "The connection was lost.");
  assert.equal(list.anyFailed, true);
  assert.equal(list.ready(), false);
  assert.equal(list.summary(), "1 file, 1 not uploaded");
  assert.equal(list.retry(item.key).status, "uploading");
  assert.equal(list.retry(item.key), null); // only a failed one is tried again
  list.remove(item.key);
  assert.equal(list.empty, true);
  assert.equal(list.ready(), false); // nothing to send
  // Progress for a removed upload (an aborted request's last event) changes nothing.
  assert.equal(list.progress(item.key, 5), null);
});

test("too large and too many are refused before uploading", () => {
  const list = new UploadList({ maxBytes: 25 * 1024 * 1024 });
  assert.deepEqual(list.add(file("film.mp4", 26 * 1024 * 1024)), {
    error: "film.mp4 is too large: at most 25 MB a file.",
  });
  for (let n = 0; n < MAX_FILES; n++) assert.ok(list.add(file(`${n}.txt`, 1)).item);
  assert.deepEqual(list.add(file("11.txt", 1)), { error: "A message can have at most 10 files." });
  assert.equal(list.items.length, MAX_FILES);
});

test("a pasted image without a name gets one", () => {
  const list = new UploadList();
  assert.equal(list.add(file("", 3)).item.name, "pasted image");
});
