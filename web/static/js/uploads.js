// A composer's files: chosen with its attach button, dropped on it (or on the channel), or
// pasted; each uploads at once over XMLHttpRequest (for its progress events) to
// POST /api/v1/files, shows a progress bar, and can be cancelled, removed or tried again.  The
// state lives in an UploadList (uploads_model.js); this draws it and talks to the server.
import { fileSize, UploadList } from "./uploads_model.js";
import { gettext } from "./words.js";

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function button(action, label, text, className = "small-button") {
  const element = el("button", className, text);
  element.type = "button";
  element.dataset.uploadAction = action;
  element.setAttribute("aria-label", label);
  return element;
}

function drawItem(list, item) {
  const row = el("li", `upload is-${item.status}`);
  row.dataset.key = String(item.key);
  const name = el("span", "upload-name", item.name);
  const size = el("span", "upload-size", fileSize(item.size));
  const bar = el("progress", "upload-progress");
  bar.max = 100;
  bar.value = list.percent(item);
  bar.setAttribute("aria-label", gettext("Uploading %(name)s", { name: item.name }));
  const status = el("span", "upload-status");
  const actions = el("span", "upload-actions");
  if (item.status === "uploading") {
    status.textContent = `${list.percent(item)}%`;
    actions.append(button("remove", gettext("Cancel uploading %(name)s", { name: item.name }), gettext("Cancel")));
  } else if (item.status === "failed") {
    status.textContent = item.error;
    status.setAttribute("role", "alert");
    actions.append(
      button("retry", gettext("Try uploading %(name)s again", { name: item.name }), gettext("Try again")),
      button("remove", gettext("Remove %(name)s", { name: item.name }), gettext("Remove"), "small-button danger"),
    );
  } else {
    status.textContent = gettext("Ready");
    actions.append(button("remove", gettext("Remove %(name)s", { name: item.name }), gettext("Remove")));
  }
  if (item.status !== "uploading") bar.hidden = true;
  row.append(name, size, bar, status, actions);
  return row;
}

// form: a composer; onChange(list) after every change (composer.js sends a waiting message).
export function wireUploads(form, { maxBytes, onChange }) {
  const list = new UploadList({ maxBytes });
  const view = form.querySelector(".uploads");
  const input = form.querySelector('input[type="file"]');
  const token = form.querySelector('input[name="csrf_token"]').value;
  const requests = new Map(); // key -> its XMLHttpRequest while uploading
  let notice = null; // a refusal shown before any file is added

  input.multiple = true;

  function draw() {
    view.replaceChildren(...list.items.map((item) => drawItem(list, item)));
    if (notice) view.append(notice);
    view.hidden = list.empty && !notice;
    form.classList.toggle("has-uploads", !list.empty);
    onChange(list);
  }

  function redrawItem(item) {
    const old = view.querySelector(`[data-key="${item.key}"]`);
    if (old) old.replaceWith(drawItem(list, item));
    else draw();
  }

  function upload(item) {
    const request = new XMLHttpRequest();
    requests.set(item.key, request);
    request.open("POST", "/api/v1/files");
    request.setRequestHeader("X-CSRF-Token", token);
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (!list.progress(item.key, event.loaded)) return;
      const row = view.querySelector(`[data-key="${item.key}"]`);
      if (!row) return;
      row.querySelector("progress").value = list.percent(item);
      row.querySelector(".upload-status").textContent = `${list.percent(item)}%`;
    });
    request.addEventListener("load", () => {
      requests.delete(item.key);
      if (request.status === 201 && request.response?.file) list.done(item.key, request.response.file);
      else list.failed(item.key, request.response?.error?.message ?? gettext("The upload failed (%(status)s).", { status: request.status }));
      redrawItem(item);
      onChange(list);
    });
    request.addEventListener("error", () => {
      requests.delete(item.key);
      list.failed(item.key, gettext("The connection was lost."));
      redrawItem(item);
      onChange(list);
    });
    const body = new FormData();
    body.append("file", item.file, item.name);
    request.send(body);
  }

  function add(files) {
    notice = null;
    for (const file of files) {
      const added = list.add(file);
      if (added.error) {
        notice = el("li", "upload-refused", added.error);
        notice.setAttribute("role", "alert");
        break;
      }
      upload(added.item);
    }
    draw();
  }

  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = ""; // the files are in the list; the form itself never posts them
  });

  view.addEventListener("click", (event) => {
    const target = event.target.closest("[data-upload-action]");
    if (!target) return;
    const key = Number(target.closest(".upload").dataset.key);
    if (target.dataset.uploadAction === "remove") {
      requests.get(key)?.abort();
      requests.delete(key);
      list.remove(key);
      draw();
      form.querySelector("textarea").focus();
    } else if (target.dataset.uploadAction === "retry") {
      const item = list.retry(key);
      if (!item) return;
      redrawItem(item);
      upload(item);
      onChange(list);
    }
  });

  // Drop files on the composer (channel.js also forwards drops on the whole channel).
  form.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    form.classList.add("is-dropping");
  });
  form.addEventListener("dragleave", () => form.classList.remove("is-dropping"));
  form.addEventListener("drop", (event) => {
    form.classList.remove("is-dropping");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    event.stopPropagation();
    add([...event.dataTransfer.files]);
  });
  // Paste an image (a screenshot) into the message.
  form.querySelector("textarea").addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    add(files);
  });

  return {
    list,
    add,
    clear() {
      list.clear();
      notice = null;
      draw();
    },
  };
}
