// Start GOV.UK Frontend and MoJ Frontend components (both are ES modules).
import { initAll as govukInitAll } from "./govuk-frontend.min.js";
import { initAll as mojInitAll } from "./moj-frontend.min.js";

govukInitAll();
mojInitAll();

// Components inside fragments swapped in by htmx need starting too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  govukInitAll({ scope: event.target });
});
