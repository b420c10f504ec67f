"""Imported last by the worker pool's fork server (lstm_core.worker_pool.PRELOAD); nothing else imports it.

Freezes every object imported so far out of the garbage collector's reach: a worker forked from
the server would otherwise have its first collection touch all of them (torch._dynamo's 800
modules), copying their memory pages and adding about a second to each worker's start.
"""

import gc

gc.collect()
gc.freeze()
