"""gunicorn settings read when gunicorn is started in the project folder (``gunicorn app:app``, ``make bench``).

Only a hook: workers, bind address and timeouts stay on the command line.
"""


def post_worker_init(worker):
    """Freeze the worker's start-up heap once the app is loaded (``oversight.web.heap``)."""
    from flask import Flask

    from oversight.web.heap import settle

    if isinstance(worker.wsgi, Flask):
        worker.log.info("start-up heap frozen: %d objects", settle(worker.wsgi))
