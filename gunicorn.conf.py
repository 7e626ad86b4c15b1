"""
gunicorn's settings for Perspectives (docs/deploy.md): `make serve`, or
`gunicorn -c gunicorn.conf.py archive.wsgi`; `make run` serves with them too.

Every value can be changed from the environment, so one file serves a laptop
and a fleet of app hosts.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Pages are rendered in Python and wait on the database: the usual
# 2 × cores + 1 sync workers, each with a few threads for the waiting.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request that takes longer than this is a bug or an attack; the load
# balancer's own timeout should be a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5

# How many connections one worker holds at once. gthread's default (1,000)
# lets the first worker to wake accept a whole burst of new connections: under
# bench/mixed_load.py one worker of five held 36 of 64 connections, with four
# threads to answer them. A bound of a few per thread spreads them out.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", threads * 4))

# Workers are replaced now and then, so slow leaks cannot grow without bound. Not
# often: a new worker starts with nothing of its own (templates compiled, the frame,
# what is kept once a generation), and the connections it held are dropped: at 2,000,
# bench/load.py saw a worker replaced every 1 to 4 s, and a p99 of over a second on
# Django's floor itself (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10

# Load the application once, before forking: workers start fast and share memory.
preload_app = True

# No access log: the application logs every request itself, by route and
# without the address asked for (archive/middleware.py), which can hold a
# withdrawal link or a reader's search. Errors go to standard error.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Which proxies may tell gunicorn the client's scheme (X-Forwarded-Proto);
# Django reads the client's address itself (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# No runtime control socket (gunicornc): nothing here uses it, and its default
# path ($HOME/.gunicorn/gunicorn.ctl) is one for every gunicorn of the user, so
# `make run`, `make serve` and the tests' servers on one host would take it
# from each other.
control_socket_disable = True
