"""gunicorn as deployed: `gunicorn -c deploy/gunicorn.conf.py tracker.wsgi` (make serve, the
benchmark and the systemd unit all start it this way). Every figure can be set by the environment.

- Workers: one per core plus one, each with a few threads. The work of a request is mostly Python
  (templates, forms) with short database waits, so processes, not threads, give the throughput;
  the threads keep a worker answering while one of its requests waits on the database or a slow
  client (nginx buffers most of those in a deployment).
- Timeout 30 s: nothing the product serves takes longer (exports too big for a request run as
  background jobs); a worker stuck longer is killed and replaced rather than left holding a slot.
- Workers are replaced after about 1,000 requests (with jitter, so not all at once), which bounds
  what a slow leak in any library can grow to.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # a restart lets requests in flight finish
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# Behind nginx on the same host: trust its X-Forwarded-* headers, nobody else's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'  # with how long each request took, in seconds
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
