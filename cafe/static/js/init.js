// Start the GOV.UK Frontend components (error summary focus, character counts, …).
import { initAll } from "../build/govuk-frontend.min.js";

initAll();
