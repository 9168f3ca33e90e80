// The research reports' charts (/admin/reports): drawn with Chart.js (web/node_modules, loaded
// before this module as a classic script) from the figures the server put in #page-data.  A
// suppressed figure is null and draws as a gap; every chart has its numbers in a table beside it.
// Its words are in the reader's language (words.js); the server names the weeks.
import { keepTimesFresh } from "./time.js";
import { gettext } from "./words.js";

const COLOURS = { mentor: "#1d6b64", mentee: "#c26b2a", posted: "#8fa3ad", done: "#1d6b64" };
const ROLE_LABELS = { mentor: gettext("Mentors"), mentee: gettext("Mentees") };

function bars(canvas, labels, datasets, { horizontal = false, legend = datasets.length > 1 } = {}) {
  const Chart = window.Chart;
  if (!Chart) return null; // the library did not load: the tables still say it all
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: legend, position: "bottom" } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

function series(label, data, colour) {
  return { label, data, backgroundColor: colour, borderRadius: 3 };
}

// A chart of its own in a grid: a figure with a caption and a canvas.
function figure(grid, caption, height = 180) {
  const box = document.createElement("figure");
  box.className = "chart-box";
  const title = document.createElement("figcaption");
  title.textContent = caption;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption);
  box.style.height = `${height + 40}px`;
  box.append(title, canvas);
  grid.append(box);
  return canvas;
}

function weekLabel(week) {
  return week.slice(5); // "03-30": the Monday of the week
}

export function drawReports(charts, root = document) {
  const weeks = charts.week_labels ?? charts.weeks.map(weekLabel); // "30 Mar", "30. mar."
  const usage = root.querySelector('[data-chart="usage"]');
  for (const feature of usage ? charts.usage : []) {
    const roles = Object.keys(ROLE_LABELS).filter((role) => feature[role].some((n) => n));
    const canvas = figure(usage, feature.label);
    bars(
      canvas,
      weeks,
      roles.map((role) => series(ROLE_LABELS[role], feature[role], COLOURS[role])),
      { legend: true }, // which role it is, even when only one has used it
    );
  }
  const tasks = root.querySelector('[data-chart="tasks"]');
  if (tasks) {
    bars(tasks, weeks, [
      series(gettext("Posted"), charts.tasks.posted, COLOURS.posted),
      series(gettext("Done"), charts.tasks.done, COLOURS.done),
    ]);
  }
  const goals = root.querySelector('[data-chart="goals"]');
  if (goals) {
    bars(goals, charts.goals.labels, [series(gettext("Goals"), charts.goals.goals, COLOURS.done)]);
  }
  const satisfaction = root.querySelector('[data-chart="satisfaction"]');
  for (const [question, perRole] of Object.entries(satisfaction ? charts.satisfaction : {})) {
    const caption =
      question === "relationship"
        ? gettext("The relationship")
        : gettext("Progress toward the goal");
    bars(
      figure(satisfaction, caption),
      ["1", "2", "3", "4", "5"],
      Object.entries(perRole).map(([role, counts]) =>
        series(ROLE_LABELS[role], counts, COLOURS[role]),
      ),
    );
  }
  const questionnaires = root.querySelector('[data-chart="questionnaires"]');
  for (const chart of questionnaires ? charts.questionnaires : []) {
    if (chart.question === "(answered)") {
      bars(
        figure(questionnaires, gettext("%(title)s: who answered", { title: chart.title }), 120),
        chart.labels.map((role) => ROLE_LABELS[role] ?? role),
        [series(gettext("People"), chart.counts, COLOURS.posted)],
        { horizontal: true },
      );
      continue;
    }
    const height = Math.max(120, chart.labels.length * 34);
    bars(
      figure(questionnaires, `${chart.title}: ${chart.question}`, height),
      chart.labels,
      [series(gettext("People"), chart.counts, COLOURS.done)],
      { horizontal: true },
    );
  }
}

const data = document.getElementById("page-data");
if (data) drawReports(JSON.parse(data.textContent).charts);
const print = document.querySelector("[data-print]");
if (print) {
  print.hidden = false;
  print.addEventListener("click", () => window.print());
}
// A printed report shows every table: open them all for the printout, close them after.
let opened = [];
window.addEventListener("beforeprint", () => {
  opened = [...document.querySelectorAll("details.report-numbers:not([open])")];
  for (const details of opened) details.open = true;
});
window.addEventListener("afterprint", () => {
  for (const details of opened) details.open = false;
});
keepTimesFresh();
