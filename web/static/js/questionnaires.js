// The questionnaire pages of people who answer them: dates in the reader's own zone.  The form
// itself is plain HTML and needs no script.
import { keepTimesFresh } from "./time.js";

keepTimesFresh();
