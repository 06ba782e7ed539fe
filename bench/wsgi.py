"""The app as gunicorn serves it during ``make bench``: ``create_app()`` plus the benchmark hooks."""

from oversight import create_app
from oversight.bench import init_bench

app = create_app()
init_bench(app)
