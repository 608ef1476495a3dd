"""``perfcalc lab``: the catalogue's models held against a real Flask app under Gunicorn, on this machine.

Each scenario (:mod:`perfcalc.lab.scenarios`) starts Gunicorn on a
loopback address (:mod:`perfcalc.lab.server`) serving a Flask view that
sleeps for the service time each request asks for
(:mod:`perfcalc.lab.app`), calibrates what a request costs beyond its
sleep, drives it with an open-loop Poisson generator
(:mod:`perfcalc.lab.generator`: scheduled arrivals, a new connection per
request, latency from the scheduled start), stops the server, reads its
access log (``%(D)s``, with :mod:`perfcalc.analyze`) and joins it to what
the generator saw (:mod:`perfcalc.lab.measure`), and sets the models
beside the measurement (:mod:`perfcalc.lab.predict`): nominal, adjusted
to what the run really offered, the range a run this long leaves, and the
run replayed through an ideal queue. :mod:`perfcalc.lab.report` prints it;
``perfcalc lab --json`` writes it.

Standard library only, like the rest of ``perfcalc``: Flask and Gunicorn
run in the server process the lab starts, never in this one
(``pip install 'perfcalc[lab]'`` installs them). Not shipped to the
browser: a page cannot start a server.

>>> from perfcalc.lab import scenarios
>>> [s.name for s in scenarios.QUICK]
['sync-exp-50', 'sync-exp-70', 'gthread-2x2-exp-70']
>>> scenarios.QUICK[1].arrival_rps  # 70 % of 4 workers at 50 ms
56.0
"""
