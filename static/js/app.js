// Oversight: progressive enhancements only; every page works without this file.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// File inputs with data-max-bytes (evidence uploads): refuse an oversized file before the form
// is sent, so the other input on the page is not lost to the server's "too large" answer.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) {
    return;
  }
  const limit = Number(input.dataset.maxBytes);
  if (Array.from(input.files || []).some((file) => file.size > limit)) {
    window.alert(input.dataset.tooLarge);
    input.value = "";
  }
});

// Unsaved changes: a POST form the user changed and has not sent yet makes the browser ask before the
// page is left (a link, the back button, closing the tab). A form shown again with errors holds input
// that is not saved either. Sending the form (not cancelled by data-confirm) clears it.
const unsavedForms = new Set();

function watchedForm(element) {
  const form = element && element.form;
  if (!form || form.method.toLowerCase() !== "post" || form.hasAttribute("data-no-unsaved-warning")) {
    return null;
  }
  return form;
}

function markUnsaved(event) {
  const form = watchedForm(event.target);
  if (form) {
    unsavedForms.add(form);
  }
}

document.addEventListener("input", markUnsaved);
document.addEventListener("change", markUnsaved);
document.addEventListener("submit", (event) => {
  if (!event.defaultPrevented) {
    unsavedForms.delete(event.target);
  }
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form .is-invalid").forEach((field) => {
    const form = watchedForm(field);
    if (form) {
      unsavedForms.add(form);
    }
  });
});
window.addEventListener("beforeunload", (event) => {
  if (unsavedForms.size > 0) {
    event.preventDefault();
    event.returnValue = "";
  }
});
