// GOV.UK Frontend's components, started from a file so the CSP needs no inline script.
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
