// Times on the page, written as the server writes them (channels/dates.py): the page's
// <html data-dates> holds the programme's zone and, in the reader's language, Babel's pattern
// for each kind (a date and time, a date, a time of day) and the names they use. This file
// only fills them in; it chooses no format of its own.
//   <time data-format="moment">  a date and time   <time data-format="day">  a date
//   <time> (no format)           '5 minutes ago', the date and time on hover
import { gettext } from "./words.js";
const page = globalThis.document?.documentElement;
const locale = page?.lang || undefined;
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });

const pad = (value, width) => String(value).padStart(width, "0");
const width = (n) => (n >= 4 ? "wide" : "abbreviated");

function field(letter, n, t, names) {
  switch (letter) {
    case "y":
      return n === 2 ? pad(t.year % 100, 2) : pad(t.year, n);
    case "M":
    case "L":
      return n >= 3 ? names.months[width(n)][t.month - 1] : pad(t.month, n);
    case "d":
      return pad(t.day, n);
    case "E":
    case "c":
    case "e":
      return names.days[width(Math.max(n, 3))][t.weekday];
    case "H":
      return pad(t.hour, n);
    case "k":
      return pad(t.hour || 24, n);
    case "h":
      return pad(t.hour % 12 || 12, n);
    case "K":
      return pad(t.hour % 12, n);
    case "m":
      return pad(t.minute, n);
    case "s":
      return pad(t.second, n);
    case "a":
    case "b":
    case "B":
      return names.periods[t.hour < 12 ? 0 : 1];
    default:
      throw new Error(`time.js cannot write the pattern field ${letter}`);
  }
}

// The writer of one calendar (channels/dates.py `browser_json`): `moment`, `day` and `clock`
// write a Date as the server does; `dayNumber` counts the days on the programme's calendar.
export function writer(calendar) {
  // The numbers of a moment on the programme's wall clock; the browser's Intl only counts.
  const wallClock = new Intl.DateTimeFormat("en-US", {
    timeZone: calendar.zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  function wall(date) {
    const parts = wallClock.formatToParts(date).map((p) => [p.type, Number(p.value)]);
    const part = Object.fromEntries(parts);
    const day = Date.UTC(part.year, part.month - 1, part.day) / 86400000;
    // Monday is 0, as in Babel's names (1 January 1970 was a Thursday).
    return { ...part, hour: part.hour % 24, dayNumber: day, weekday: (((day + 3) % 7) + 7) % 7 };
  }
  // A CLDR pattern filled in: letters are fields, 'quoted' text stands as it is, '' is a quote.
  function written(pattern, date) {
    const t = wall(date);
    let out = "";
    for (let i = 0; i < pattern.length; ) {
      const c = pattern[i];
      if (c === "'") {
        const end = pattern.indexOf("'", i + 1);
        out += end === i + 1 ? "'" : pattern.slice(i + 1, end < 0 ? undefined : end);
        i = end < 0 ? pattern.length : end + 1;
      } else if (/[A-Za-z]/.test(c)) {
        let n = 1;
        while (pattern[i + n] === c) n += 1;
        out += field(c, n, t, calendar.names);
        i += n;
      } else {
        out += c;
        i += 1;
      }
    }
    return out;
  }
  return {
    moment: (date) => written(calendar.patterns.moment, date),
    day: (date) => written(calendar.patterns.day, date),
    clock: (date) => written(calendar.patterns.clock, date),
    dayNumber: (date) => wall(date).dayNumber,
  };
}

// A page without its calendar (none should be): UTC, in an ISO-like order.
const UNKNOWN = {
  zone: "UTC",
  patterns: { moment: "y-MM-dd HH:mm", day: "y-MM-dd", clock: "HH:mm" },
  names: {},
};
const { moment, day, clock, dayNumber } = writer(JSON.parse(page?.dataset.dates || "null") ?? UNKNOWN);

export function describe(date, now = new Date()) {
  const seconds = (now - date) / 1000;
  if (seconds < 45) return gettext("just now");
  if (seconds < 3600) return relative.format(-Math.round(seconds / 60), "minute");
  if (seconds < 6 * 3600) return relative.format(-Math.round(seconds / 3600), "hour");
  const days = dayNumber(now) - dayNumber(date);
  if (days === 0) return gettext("today at %(time)s", { time: clock(date) });
  if (days === 1) return gettext("yesterday at %(time)s", { time: clock(date) });
  if (days < 7) return relative.format(-days, "day");
  return day(date);
}

export function refresh(element) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) return;
  const kind = element.dataset.format;
  if (kind === "moment" || kind === "day") {
    element.textContent = kind === "day" ? day(date) : moment(date);
    return;
  }
  element.textContent = describe(date);
  element.title = moment(date);
}

export function keepTimesFresh(root = document) {
  const all = () => root.querySelectorAll("time[datetime]").forEach(refresh);
  all();
  setInterval(all, 30000);
}
