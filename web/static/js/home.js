// The home page: the menu, kept live.
import { connect, pageData } from "./live.js";
import { startMenu } from "./menu.js";

const data = pageData();
startMenu(connect(), data.me);
