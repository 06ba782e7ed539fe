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
