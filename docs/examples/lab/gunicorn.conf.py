"""Gunicorn settings that log which worker process served each request.

Run:  gunicorn -c gunicorn.conf.py "myapp:create_app()"
Then: python connections_per_process.py access.log

A gthread process accepts every connection it can and queues it for its own
threads; which process gets a connection is the kernel's choice. The pid at
the end of each line shows how your processes really share the load.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
bind = os.environ.get("BIND", "127.0.0.1:8000")

accesslog = os.environ.get("ACCESS_LOG", "access.log")
# Gunicorn's default format, then %(D)s (microseconds from after the request
# was read to after the response was written: service time, not the time the
# connection waited), then %(p)s, the worker's pid as <12345>.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s %(p)s'
