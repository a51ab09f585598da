"""Publishing Celery tasks so that a broker outage never fails the request that asked."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Publish a task; a broker that is down is logged, never raised: a beat sweep catches
    up with whatever the task was for (each task's app keeps one)."""
    try:
        task.delay(*args)
    except Exception:
        if task.app.conf.task_always_eager:
            raise
        logger.warning(
            "Could not enqueue %s%r; the sweep will send it later.", task.name, args, exc_info=True
        )
        return False
    return True


def enqueue_on_commit(task, *args):
    transaction.on_commit(partial(enqueue, task, *args))
