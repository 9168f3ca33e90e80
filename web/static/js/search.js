// The search page: times in the reader's own zone.
import { keepTimesFresh } from "./time.js";

keepTimesFresh();
