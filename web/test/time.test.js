// A time written in the browser reads exactly as the server writes it (channels/dates.py):
// the same patterns and names, handed over by the page (these are `browser_json`'s).
import assert from "node:assert/strict";
import { test } from "node:test";

import { writer } from "../static/js/time.js";

const danish = {
  zone: "Europe/Copenhagen",
  patterns: { moment: "EEEE 'den' d. MMMM y HH.mm", day: "EEEE 'den' d. MMMM y", clock: "HH.mm" },
  names: {
    months: {
      abbreviated: ["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
      wide: ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"],
    },
    days: {
      abbreviated: ["man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn."],
      wide: ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    },
    periods: ["AM", "PM"],
  },
};
const american = {
  ...danish,
  zone: "America/New_York",
  patterns: { moment: "EEEE, MMMM d, y, h:mm\u202fa", day: "EEEE, MMMM d, y", clock: "h:mm\u202fa" },
  names: {
    months: { wide: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] },
    days: { wide: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] },
    periods: ["AM", "PM"],
  },
};
const night = new Date("2026-12-03T01:27:00Z");

test("a moment, a day and a time of day, in the programme's zone", () => {
  const da = writer(danish);
  assert.equal(da.moment(night), "torsdag den 3. december 2026 02.27");
  assert.equal(da.day(night), "torsdag den 3. december 2026");
  assert.equal(da.clock(night), "02.27");
  // Summer time, and a day that is already the next in Copenhagen.
  assert.equal(da.moment(new Date("2026-06-30T22:30:00Z")), "onsdag den 1. juli 2026 00.30");
  // A day before 1970 is named too (the count of days is negative).
  assert.equal(da.day(new Date("1969-12-29T12:00:00Z")), "mandag den 29. december 1969");
});

// Babel's English time has a narrow no-break space before AM and PM.
test("a twelve-hour clock, and the day before in New York", () => {
  const us = writer(american);
  assert.equal(us.moment(night), "Wednesday, December 2, 2026, 8:27\u202fPM");
  assert.equal(us.clock(new Date("2026-12-03T05:05:00Z")), "12:05\u202fAM");
});
