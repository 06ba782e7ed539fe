"""The structural HTML rules a page must keep, checked without Java or a network service.

The Nu HTML checker needs Java; this is the part of it that matters for assistive technology, on a
small tree built with the standard library's ``html.parser``: unique ids, labels and ARIA references
that point at something, ``legend`` as the first child of a ``fieldset``, no empty table headers, no
form inside a form and no interactive element inside another, a required select that starts with an
empty option, and one ``h1`` per page. ``problems(html)`` lists what is wrong, one line each.
``checked_pages(app)`` are the pages the accessibility tests open (this check and axe-core in the browser).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlalchemy import text

from bench.run import main_pages
from oversight.extensions import db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements the parser closes implicitly when a sibling starts (enough for the app's own templates).
IMPLIED_END = {"li": {"li"}, "option": {"option"}, "p": {"p", "div", "ul", "ol", "table", "form", "h1", "h2", "h3"}}
LABELABLE = {"button", "input", "meter", "output", "progress", "select", "textarea"}
INTERACTIVE = {"a", "button", "select", "textarea", "details", "label"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)
    line: int = 0

    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def walk(self):
        for child in self.elements():
            yield child
            yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                alt = child.attrs.get("alt") or child.attrs.get("aria-label") or ""
                parts.append(alt + child.text())
        return "".join(parts).strip()

    def is_interactive(self) -> bool:
        if self.tag == "a":
            return "href" in self.attrs
        if self.tag == "input":
            return self.attrs.get("type") != "hidden"
        return self.tag in INTERACTIVE

    def describe(self) -> str:
        ident = f"#{self.attrs['id']}" if self.attrs.get("id") else ""
        name = f"[name={self.attrs['name']}]" if self.attrs.get("name") else ""
        return f"<{self.tag}{ident}{name}> (line {self.line})"


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        closes = IMPLIED_END.get(self.current.tag, set())
        if tag in closes and self.current.parent is not None:
            self.current = self.current.parent
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current, line=self.getpos()[0])
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Node(tag, {name: value or "" for name, value in attrs}, self.current, line=self.getpos()[0])
        )

    def handle_endtag(self, tag):
        for node in [self.current, *self.current.ancestors()]:
            if node.tag == tag:
                self.current = node.parent or self.root
                return

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def problems(html: str) -> list[str]:
    """Every broken rule of the page, one line each (empty when the page is fine)."""
    root = parse(html)
    nodes = list(root.walk())
    by_id = {node.attrs["id"]: node for node in nodes if node.attrs.get("id")}
    found = []
    counts = Counter(node.attrs["id"] for node in nodes if "id" in node.attrs)
    found += [f"duplicate id {ident!r} ({count} times)" for ident, count in counts.items() if count > 1]
    found += [f"empty id on {node.describe()}" for node in nodes if node.attrs.get("id") == ""]
    for node in nodes:
        found += _node_problems(node, by_id)
    headings = [node for node in nodes if node.tag == "h1"]
    if len(headings) != 1:
        found.append(f"{len(headings)} h1 headings (one expected)")
    return found


def _node_problems(node: Node, by_id: dict[str, Node]) -> list[str]:
    found = []
    if node.tag == "label" and "for" in node.attrs:
        target = by_id.get(node.attrs["for"])
        if target is None:
            found.append(f"label for={node.attrs['for']!r} points at no element")
        elif target.tag not in LABELABLE or target.attrs.get("type") == "hidden":
            found.append(f"label for={node.attrs['for']!r} points at {target.describe()}, which takes no label")
    for attribute in ("aria-describedby", "aria-labelledby", "aria-controls"):
        for ident in node.attrs.get(attribute, "").split():
            if ident not in by_id:
                found.append(f"{attribute}={ident!r} on {node.describe()} points at no element")
    if node.tag == "legend" and (node.parent is None or node.parent.tag != "fieldset"):
        found.append(f"legend outside a fieldset: {node.describe()} in <{node.parent.tag if node.parent else '?'}>")
    in_fieldset = node.parent is not None and node.parent.tag == "fieldset"
    if node.tag == "legend" and in_fieldset and node.parent.elements()[0] is not node:
        found.append(f"legend not the first child of its fieldset: {node.describe()}")
    if node.tag == "th" and not node.text() and not node.attrs.get("aria-label"):
        found.append(f"empty table header {node.describe()}")
    if node.tag == "form" and any(ancestor.tag == "form" for ancestor in node.ancestors()):
        found.append(f"form inside a form: {node.describe()}")
    if node.is_interactive() and node.tag != "label":
        outer = next((a for a in node.ancestors() if a.tag in ("a", "button") and a.is_interactive()), None)
        if outer is not None:
            found.append(f"{node.describe()} inside {outer.describe()}")
    if node.tag == "select" and "required" in node.attrs and "multiple" not in node.attrs:
        options = [child for child in node.walk() if child.tag == "option"]
        if not options or options[0].attrs.get("value", options[0].text()) != "":
            found.append(f"required {node.describe()} does not start with an empty option")
    return found


def _one(sql: str):
    return db.session.execute(text(sql)).scalar()


def checked_pages(app) -> dict[str, str]:
    """The main pages, the main form pages and an error page, with records of the demo data."""
    with app.app_context():
        pages = main_pages(_one)
        vendor = _one("SELECT id FROM vendors ORDER BY id LIMIT 1")
        draft = _one("SELECT id FROM evaluations WHERE status = 'draft' ORDER BY id LIMIT 1")
        incident = _one("SELECT id FROM incidents ORDER BY id LIMIT 1")
        audit = _one("SELECT id FROM audits WHERE status = 'in_progress' ORDER BY id LIMIT 1")
        contract = _one("SELECT id FROM contracts WHERE status = 'draft' ORDER BY id LIMIT 1")
        webhook = _one("SELECT id FROM webhook_endpoints ORDER BY id LIMIT 1")
    for bench_page in ("floor", "layout only"):
        pages.pop(bench_page)
    return {
        **pages,
        "vendor form": "/vendors/new",
        "vendor edit": f"/vendors/{vendor}/edit",
        "evaluation answers": f"/evaluations/{draft}/edit",
        "contract edit": f"/contracts/{contract}/edit",
        "incident form": "/incidents/new",
        "incident edit": f"/incidents/{incident}/edit",
        "audit form": "/audits/new",
        "audit checklist": f"/audits/{audit}/checklist",
        "vendor requests": f"/requests/vendor/{vendor}",
        "request form": f"/requests/vendor/{vendor}/new",
        "user form": "/admin/users/new",
        "settings": "/admin/settings",
        "corporate-number data": "/admin/corporate-numbers/",
        "password": "/auth/password",
        "API access tokens": "/auth/tokens",
        "every API access token": "/admin/tokens",
        "webhooks": "/admin/webhooks",
        "webhook form": "/admin/webhooks/new",
        "webhook delivery log": f"/admin/webhooks/{webhook}",
        "second factor setup": "/auth/second-factor/setup",
        "glossary": "/help/glossary",
        "not found": "/no-such-page",
    }
