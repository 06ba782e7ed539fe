"""A worker's start-up heap, loaded once and then left out of the garbage collector's full passes.

Python's cyclic collector walks every tracked object on a full (oldest-generation) collection: in a
warm worker, the modules, SQLAlchemy's mappers, Jinja's compiled templates and the translations are
a few hundred thousand objects that live as long as the process, and walking them cost ~100 ms in
the middle of some request. ``settle(app)`` loads what every worker would load on its first requests
(every template compiled, the translation catalogues read), collects once, then ``gc.freeze()``s
the survivors into the permanent generation, which no collection walks again. What only real
requests fill (SQLAlchemy's statement cache, per-locale choice lists…) is frozen once more after the
worker's first ``SETTLE_AFTER_REQUESTS`` requests. Objects made while serving requests are collected
as before. Called by gunicorn's ``post_worker_init`` hook (``gunicorn.conf.py`` at the project root,
read by gunicorn when started there).
"""

from __future__ import annotations

import gc

from flask import Flask
from flask_babel import force_locale, get_translations

SETTLE_AFTER_REQUESTS = 200
# The collector's thresholds in a worker: CPython's default (700, 10, 10) runs a young collection every
# 700 allocations, and a large page (thousands of rows) allocates enough to reach a full pass, which
# walks every object alive at that moment, during some request. Serving a request makes mostly
# short-lived acyclic garbage, freed by reference counting anyway; a higher first threshold makes the
# passes rare, and what cycles there are are still collected.
WORKER_THRESHOLDS = (50_000, 20, 100)


def warm_up(app: Flask) -> None:
    """Compile every template and read every translation catalogue, as the first requests would."""
    environment = app.jinja_env
    for name in environment.list_templates(filter_func=lambda name: name.endswith((".html", ".txt", ".ics"))):
        environment.get_template(name)
    with app.test_request_context():
        for locale in ("ja", "en"):
            with force_locale(locale):
                get_translations()


def freeze(collect: bool = True) -> int:
    """Move every live object to the permanent generation (after a full collection unless ``collect`` is
    false: done while serving, a collection would pause that request); returns how many are there."""
    if collect:
        gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def settle(app: Flask, after_requests: int = SETTLE_AFTER_REQUESTS) -> int:
    """Warm ``app`` up and freeze its heap now and once more after ``after_requests`` requests.

    Returns the number of objects frozen now.
    """
    warm_up(app)
    served = 0

    def count_request(_exception: BaseException | None) -> None:
        nonlocal served
        served += 1
        if served == after_requests:
            freeze(collect=False)

    app.teardown_request(count_request)
    frozen = freeze()
    gc.set_threshold(*WORKER_THRESHOLDS)
    return frozen
