// Times: "5 minutes ago" on the page, the exact time on hover; in the programme's locale and
// time zone (the page's lang and data-zone), as the server writes them (channels/dates.py).
import { gettext } from "./words.js";
const page = globalThis.document?.documentElement;
const locale = page?.lang || undefined;
const timeZone = page?.dataset.zone || undefined;
const format = (options) => new Intl.DateTimeFormat(locale, { timeZone, ...options });
const exact = format({ dateStyle: "full", timeStyle: "short" });
const clock = format({ hour: "numeric", minute: "2-digit" });
const dayMonth = format({ day: "numeric", month: "short" });
const dueFormat = format({
  weekday: "long",
  day: "numeric",
  month: "long",
  hour: "numeric",
  minute: "2-digit",
});
const dayParts = format({ year: "numeric", month: "numeric", day: "numeric" });
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });

export function describe(date, now = new Date()) {
  const seconds = (now - date) / 1000;
  if (seconds < 45) return gettext("just now");
  if (seconds < 3600) return relative.format(-Math.round(seconds / 60), "minute");
  if (seconds < 6 * 3600) return relative.format(-Math.round(seconds / 3600), "hour");
  const days = dayNumber(now) - dayNumber(date);
  if (days === 0) return gettext("today at %(time)s", { time: clock.format(date) });
  if (days === 1) return gettext("yesterday at %(time)s", { time: clock.format(date) });
  if (days < 7) return relative.format(-days, "day");
  return dayMonth.format(date);
}

// The day a moment falls on in the programme's zone, as a count of days.
function dayNumber(date) {
  const part = Object.fromEntries(dayParts.formatToParts(date).map((p) => [p.type, p.value]));
  return Date.UTC(part.year, part.month - 1, part.day) / 86400000;
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
