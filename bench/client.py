"""A small HTTP client for the benchmark: one signed-in browser session against 127.0.0.1.

The standard library's ``http.client`` over real sockets (gunicorn's sync workers close every
connection, as they would a browser's), the cookies a browser would keep, and the forms of a page read
the way a browser submits them (hidden fields such as the CSRF token and the edit version included).
"""

from __future__ import annotations

import http.client
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

PASSWORD = "oversight-demo-2026"
TIMEOUT = 120


class Form:
    """One ``<form>`` of a page: its action, method, the fields a browser would send, its submit buttons."""

    def __init__(self, action: str, method: str) -> None:
        self.action, self.method = action, method
        self.fields: list[tuple[str, str]] = []
        self.submits: list[tuple[str, str]] = []

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def body(self, changes: dict[str, str] | None = None) -> str:
        """The urlencoded body with ``changes`` applied, as if the first named submit button was pressed."""
        changes = dict(changes or {})
        pairs = [(name, changes.pop(name) if name in changes else value) for name, value in self.fields]
        pairs += list(changes.items())
        pairs += self.submits[:1]
        return urlencode(pairs)


class FormParser(HTMLParser):
    """Every form of a page (inputs, checked boxes, selected options, text areas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all options
        self._option: list[str] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(attr.get("action", ""), attr.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None or "disabled" in attr:
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    self._form.fields.append((name, attr.get("value", "on")))
            elif kind == "submit":
                self._form.submits.append((name, attr.get("value", "")))
            elif kind not in ("file", "button", "reset", "image"):
                self._form.fields.append((name, attr.get("value", "")))
        elif tag == "button" and name and attr.get("type", "submit").lower() == "submit":
            self._form.submits.append((name, attr.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            self._option = [attr["value"]] if "value" in attr else []
            if "selected" in attr:
                self._select[1].append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None and not self._option[:1]:
            self._option.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None and self._option is not None:
            self._select[2].append(self._option[0] if self._option else "")
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, selected, options = self._select
            for value in selected or options[:1]:  # a single select sends its first option if none is selected
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # A browser drops the one line break that follows <textarea>.
            value = "".join(text)
            self._form.fields.append((name, value[2:] if value.startswith("\r\n") else value.removeprefix("\n")))
            self._textarea = None


def find_form(page: bytes, path: str) -> Form:
    """The POST form of ``page`` that submits to ``path`` (or to the page itself)."""
    parser = FormParser()
    parser.feed(page.decode("utf-8", "replace"))
    wanted = urlsplit(path).path
    posts = [form for form in parser.forms if form.method == "post"]
    for form in posts:
        if urlsplit(form.action).path == wanted or (form.action == "" and wanted):
            return form
    raise LookupError(f"no form posting to {path} among {[form.action for form in posts]}")


class Client:
    """One browser session on ``127.0.0.1:port``: its cookies, and the responses' status and headers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, extra_headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"User-Agent": "oversight-bench", **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body.encode() if body is not None else None, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _sep, cookie = pair.partition("=")
                if cookie:
                    self.cookies[key.strip()] = cookie
                else:
                    self.cookies.pop(key.strip(), None)
        return response.status, {key.lower(): value for key, value in response.getheaders()}, content

    def submit(self, path: str, changes: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """GET the page at ``path`` and POST its form back with ``changes`` (returns the POST's answer)."""
        status, _headers, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        form = find_form(page, path)
        return self.request("POST", form.action or path, form.body(changes))

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the login form (CSRF token included); a new session each time."""
        self.cookies.clear()
        status, headers, _page = self.submit("/auth/login", {"email": email, "password": password})
        if status != 302 or "/auth/login" in headers.get("location", ""):
            raise RuntimeError(f"sign-in failed ({status})")
