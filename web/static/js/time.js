// Times: "5 minutes ago" on the page, the exact time (in the reader's own zone) on hover.
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const dueFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  hour: "numeric",
  minute: "2-digit",
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function describe(date, now = new Date()) {
  const seconds = (now - date) / 1000;
  if (seconds < 45) return "just now";
  if (seconds < 3600) return relative.format(-Math.round(seconds / 60), "minute");
  if (seconds < 6 * 3600) return relative.format(-Math.round(seconds / 3600), "hour");
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86400000);
  if (days === 0) return `today at ${clock.format(date)}`;
  if (days === 1) return `yesterday at ${clock.format(date)}`;
  if (days < 7) return relative.format(-days, "day");
  return dayMonth.format(date);
}

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

export function refresh(element) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) return;
  if (element.dataset.format === "due") {
    element.textContent = dueFormat.format(date);
    element.title = exact.format(date);
    return;
  }
  element.textContent = describe(date);
  element.title = exact.format(date);
}

export function keepTimesFresh(root = document) {
  const all = () => root.querySelectorAll("time[datetime]").forEach(refresh);
  all();
  setInterval(all, 30000);
}
