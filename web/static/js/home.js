// The home page: the menu, kept live.
import { connect, pageData } from "./live.js";
import { startMenu } from "./menu.js";
import { keepTimesFresh } from "./time.js";

const data = pageData();
startMenu(connect(), data.me);
const questionnaires = document.querySelector(".home-questionnaires");
if (questionnaires) keepTimesFresh(questionnaires); // their closing dates, in the reader's zone
