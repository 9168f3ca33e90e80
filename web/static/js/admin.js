// Coordinator pages: times in the coordinator's own zone ("2 hours ago", or a due date).
import { keepTimesFresh } from "./time.js";

keepTimesFresh();
