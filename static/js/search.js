// The search page's filters, where JavaScript runs: ticking a box (or finishing a date)
// updates the results in place, as the Apply filters button would, without a page load.
//
// The page asks the server for the same address the form would submit to and takes the
// results, the error summary and the filters' counts from its answer. The box ticked keeps
// the focus; the new number of results is announced in a polite live region; the address is
// updated so it can be shared or bookmarked. Should the request fail, the form is submitted.
// Without this script the form and its button work alone.

const form = document.getElementById("filters-form");
const details = document.getElementById("filters");
const status = document.getElementById("search-status");
let pending = null;
let moved = false;

// The parts of the page taken whole from the server's answer.
const REPLACED = ["search-errors", "search-results-body", "search-state"];
// Each filter's group of fields (its choices, or one date).
const GROUPS = "[id$='-group']";

function address() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "") params.append(name, value);
  }
  const query = params.toString();
  return form.action + (query ? `?${query}` : "");
}

function imported(node) {
  return document.importNode(node, true);
}

function replaceById(fresh, id) {
  const old = document.getElementById(id);
  const replacement = fresh.getElementById(id);
  if (old && replacement) old.replaceWith(imported(replacement));
}

// The group holding the focus stays where it is (moving it would lose the focus): its counts,
// links and error messages are brought up to date around the fields.
function refreshInPlace(group, fresh) {
  group.className = fresh.className;
  for (const label of group.querySelectorAll("label[for]")) {
    const updated = fresh.querySelector(`label[for="${CSS.escape(label.htmlFor)}"]`);
    if (updated) label.replaceChildren(...[...updated.childNodes].map(imported));
  }
  for (const input of group.querySelectorAll("input[id]")) {
    const updated = fresh.querySelector(`#${CSS.escape(input.id)}`);
    if (updated) input.className = updated.className;
  }
  const fieldset = group.querySelector("fieldset");
  const freshFieldset = fresh.querySelector("fieldset");
  if (fieldset && freshFieldset) {
    for (const name of ["aria-describedby"]) {
      const value = freshFieldset.getAttribute(name);
      if (value === null) fieldset.removeAttribute(name);
      else fieldset.setAttribute(name, value);
    }
  }
  for (const selector of [".govuk-error-message", ".app-facet-more"]) {
    for (const old of group.querySelectorAll(selector)) old.remove();
  }
  const error = fresh.querySelector(".govuk-error-message");
  if (error && fieldset) {
    const hint = fieldset.querySelector(".govuk-hint") || fieldset.querySelector("legend");
    hint.after(imported(error));
  }
  const more = fresh.querySelector(".app-facet-more");
  if (more && fieldset) fieldset.append(imported(more));
}

function refreshFilters(freshForm) {
  const active = document.activeElement;
  const kept = active && form.contains(active) ? active.closest(GROUPS) : null;
  const freshGroups = [...freshForm.querySelectorAll(GROUPS)];
  const freshIds = new Set(freshGroups.map((group) => group.id));
  for (const group of form.querySelectorAll(GROUPS)) {
    if (!freshIds.has(group.id) && group !== kept) group.remove();
  }
  let previous = null;
  for (const fresh of freshGroups) {
    const old = document.getElementById(fresh.id);
    if (old === kept && kept) {
      refreshInPlace(old, fresh);
      previous = old;
    } else if (old) {
      const replacement = imported(fresh);
      old.replaceWith(replacement);
      previous = replacement;
    } else {
      const added = imported(fresh);
      if (previous) previous.after(added);
      else form.querySelector(GROUPS)?.before(added);
      previous = added;
    }
  }
}

function announce(fresh) {
  const heading = fresh.getElementById("results-heading");
  const problem = fresh.querySelector(".govuk-error-summary") ? "There is a problem. " : "";
  const text = heading ? heading.textContent.trim() : "";
  const message = problem + text;
  // The same words again (a box ticked and unticked) are changed a little, to be announced.
  status.textContent = message === status.textContent ? `${message}\u00a0` : message;
}

async function update() {
  const url = address();
  pending?.abort();
  const controller = new AbortController();
  pending = controller;
  const results = document.getElementById("search-results");
  results.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`The search page answered ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    if (controller.signal.aborted) return;
    for (const id of REPLACED) replaceById(fresh, id);
    refreshFilters(fresh.getElementById("filters-form"));
    const applied = fresh.getElementById("filters-applied");
    if (applied) document.getElementById("filters-applied").textContent = applied.textContent;
    document.title = fresh.title;
    history.pushState({ search: true }, "", url);
    moved = true;
    announce(fresh);
  } catch (error) {
    if (error.name === "AbortError") return;
    // The page as the form gives it, without this script.
    form.submit();
  } finally {
    if (pending === controller) {
      results.removeAttribute("aria-busy");
      pending = null;
    }
  }
}

// A date is searched for once its day, month and year are all typed (or all cleared): not
// while it is half typed.
function dateReady(input) {
  const fields = input.closest(".govuk-date-input")?.querySelectorAll("input") ?? [];
  const filled = [...fields].filter((field) => field.value.trim() !== "").length;
  return filled === 0 || filled === fields.length;
}

if (form && status && window.fetch && window.DOMParser) {
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    if (input.closest(".govuk-date-input") && !dateReady(input)) return;
    update();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  // The address was changed without loading the page: going back loads the page it names.
  window.addEventListener("popstate", () => {
    if (moved) window.location.reload();
  });
  // Browsers that cannot style a <details>' content show the filters open on wide screens.
  const wide = window.matchMedia("(min-width: 40.0625em)");
  if (details && wide.matches && !CSS.supports("selector(::details-content)")) {
    details.open = true;
  }
}
