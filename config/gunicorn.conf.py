"""gunicorn's settings for production (README, "Serving"):

    gunicorn -c config/gunicorn.conf.py

Chosen from measurement on this 2-core machine (`python bench/run.py --serving`, figures in
bench/results.md): the pages are CPU-bound (templates, Python) with short database waits, so
two processes (one per core) each running a few threads keep both cores busy while a thread
waits for PostgreSQL, without the context switching and memory of more processes. Each knob
is an environment variable for a bigger machine (workers: about one per core).
"""

import os

wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4")) if worker_class == "gthread" else 1
# SQLAlchemy's pool in each worker (config/settings.py reads DB_POOL_SIZE): one connection
# per thread, so no request waits for a connection; PostgreSQL then sees workers x threads
# (+ overflow) connections at most, far below its default max_connections of 100.
os.environ["DB_POOL_SIZE"] = str(max(threads, int(os.environ.get("DB_POOL_SIZE", "0") or 0)))
os.environ.setdefault("DB_MAX_OVERFLOW", "2")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # the quarterly report runs in `hfm scheduler`
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # behind the council's reverse proxy
# A worker is replaced after this many requests (with jitter, so not both at once): bounds
# any slow growth of memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
