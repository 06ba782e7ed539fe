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

// A list's vendor filter (templates/_macros/forms.html vendor_filter) becomes an ARIA combobox: while the
// user types, the vendors of the user's units that match (vendors.suggest, at most ten) are offered in a
// listbox; choosing one (arrow keys and Enter, or a click) puts its name in the field and its id in a hidden
// vendor_id, so the list is filtered by exactly that vendor; typing again drops the id and the text filters
// as it does without this script. Keys pressed while an input method is composing Japanese are left to it.
function setUpVendorCombobox(box) {
  const input = box.querySelector("input");
  if (!input || !input.form) {
    return;
  }
  const form = input.form;
  const popup = document.createElement("div");
  popup.className = "vendor-suggestions";
  popup.hidden = true;
  const listbox = document.createElement("ul");
  listbox.id = `${input.id}-suggestions`;
  listbox.className = "list-unstyled mb-0";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "");
  const more = document.createElement("p");
  more.className = "vendor-suggestions-more small mb-0";
  more.textContent = box.dataset.moreText;
  more.hidden = true;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  popup.append(listbox, more);
  box.append(popup, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  let timer = 0;
  let asked = 0;
  let active = -1;

  const options = () => Array.from(listbox.children);

  function close() {
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    if (all.length === 0) {
      return;
    }
    active = (index + all.length) % all.length;
    all.forEach((option, position) => {
      option.setAttribute("aria-selected", position === active ? "true" : "false");
      option.classList.toggle("active", position === active);
    });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function chosenInput() {
    return form.querySelector('input[type="hidden"][name="vendor_id"]');
  }

  function choose(option) {
    let hidden = chosenInput();
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "vendor_id";
      form.append(hidden);
    }
    hidden.value = option.dataset.id;
    input.value = option.dataset.name;
    close();
    status.textContent = option.dataset.name;
  }

  function show(data) {
    const vendors = data.vendors || [];
    listbox.replaceChildren();
    vendors.forEach((vendor, position) => {
      const option = document.createElement("li");
      option.id = `${listbox.id}-${position}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.id = String(vendor.id);
      option.dataset.name = vendor.name;
      const name = document.createElement("span");
      name.textContent = vendor.name;
      option.append(name);
      const detail = [vendor.kana, vendor.corporate_number].filter(Boolean).join(" · ");
      if (detail) {
        const small = document.createElement("span");
        small.className = "vendor-suggestion-detail small";
        small.textContent = detail;
        option.append(small);
      }
      listbox.append(option);
    });
    more.hidden = !data.more;
    if (document.activeElement !== input) {
      return; // the answer came after the user left the field
    }
    if (vendors.length === 0) {
      close();
      status.textContent = box.dataset.noneText;
      return;
    }
    active = -1;
    input.removeAttribute("aria-activedescendant");
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
    const found = box.dataset.foundText.replace("{count}", String(vendors.length));
    status.textContent = data.more ? `${found} ${box.dataset.moreText}` : found;
  }

  async function suggest() {
    const text = input.value.trim();
    const ticket = ++asked;
    if (!text) {
      close();
      status.textContent = "";
      return;
    }
    try {
      const url = `${box.dataset.suggestUrl}?${new URLSearchParams({ q: text })}`;
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await response.json();
      if (ticket !== asked) {
        return; // an older answer arriving after a newer question
      }
      if (!response.ok) {
        close();
        status.textContent = data.error || box.dataset.errorText;
        return;
      }
      show(data);
    } catch (_error) {
      if (ticket === asked) {
        close();
        status.textContent = box.dataset.errorText;
      }
    }
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 250);
  }

  input.addEventListener("input", (event) => {
    const hidden = chosenInput();
    if (hidden) {
      hidden.remove(); // the text typed now is the filter, not the vendor chosen before
    }
    if (!event.isComposing) {
      later();
    }
  });
  input.addEventListener("compositionend", later);
  input.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229) {
      return;
    }
    const open = !popup.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        suggest();
      } else {
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      }
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // choose, not send the form yet
      choose(options()[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  // A click chooses without taking the focus from the field first (which would close the list).
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) {
      choose(option);
      input.focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-vendor-combobox]").forEach(setUpVendorCombobox);
});
