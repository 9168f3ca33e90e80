// The notifications page: times in the reader's own words ("5 minutes ago"), kept fresh.
import { keepTimesFresh } from "./time.js";

keepTimesFresh(document.querySelector(".notification-list") ?? document);
