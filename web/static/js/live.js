// The one socket.io connection a page uses, and the banner that says when it is down.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { gettext } from "./words.js";

const GRACE_MS = 1500; // a blip shorter than this is not worth a banner

document.documentElement.classList.add("js"); // hints that only hold with JavaScript may show

let socket = null;

export function pageData() {
  const script = document.getElementById("page-data");
  return script ? JSON.parse(script.textContent) : {};
}

export function connect() {
  if (socket) return socket;
  socket = io({ transports: ["websocket", "polling"], tryAllTransports: true });
  const banner = document.getElementById("connection-banner");
  let timer = null;

  function show(text, html = null) {
    if (!banner) return;
    banner.replaceChildren(text);
    if (html) banner.append(" ", html);
    banner.hidden = false;
  }
  function showSoon(text) {
    clearTimeout(timer);
    timer = setTimeout(() => show(text), GRACE_MS);
  }
  function hide() {
    clearTimeout(timer);
    if (banner) banner.hidden = true;
  }

  function loginAgain() {
    const login = document.createElement("a");
    login.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    login.textContent = gettext("Log in again");
    return login;
  }

  // The server says why before it hangs up (the account was disabled, or its password
  // changed): keep that sentence up rather than "connection lost", and stop retrying.
  let ended = false;
  socket.on("session:ended", ({ message }) => {
    ended = true;
    clearTimeout(timer);
    show(`${gettext("Your session has ended.")} ${message ?? ""}`.trim(), loginAgain());
  });

  // The page says whether it is live (for styles, and for tests to wait on).
  socket.on("connect", () => {
    document.body.dataset.connection = "live";
    hide();
  });
  socket.on("disconnect", (reason) => {
    document.body.dataset.connection = "down";
    if (ended) return;
    if (reason === "io client disconnect" && !navigator.onLine) return; // the offline handler said it
    // The server hangs up when the session has ended; asking again gets the reason.
    if (reason === "io server disconnect") socket.connect();
    showSoon(gettext("Connection lost. Reconnecting… Your messages are kept and will catch up."));
  });
  socket.on("connect_error", (error) => {
    // The server refuses a socket whose session ended, or one too many: `data` is its error.
    if (ended) return;
    if (error?.data?.code === "unauthenticated") {
      show(gettext("Your session has ended."), loginAgain());
      return;
    }
    if (error?.data?.code === "rate_limited") {
      clearTimeout(timer);
      show(error.message);
      return;
    }
    showSoon(gettext("Cannot reach Mentorspace. Trying again…"));
  });
  // The browser knows it is offline before any socket times out: say so at once, and come
  // back the moment the network does (instead of waiting for the next retry).
  window.addEventListener("offline", () => {
    clearTimeout(timer);
    show(gettext("You are offline. Messages will catch up when you are back online."));
    socket.disconnect();
  });
  window.addEventListener("online", () => {
    showSoon(gettext("Back online. Reconnecting…"));
    socket.connect();
  });
  if (!navigator.onLine) show(gettext("You are offline. Messages will catch up when you are back online."));
  return socket;
}

// A random UUID, also on plain-http addresses where crypto.randomUUID is missing.
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Emit and wait for the ACK; a timeout or a lost connection becomes an error ACK.
export async function call(event, payload, timeoutMs = 10000) {
  try {
    return await socket.timeout(timeoutMs).emitWithAck(event, payload);
  } catch {
    return { error: { code: "timeout", message: gettext("No answer from the server.") } };
  }
}
