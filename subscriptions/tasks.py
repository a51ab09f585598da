"""Thin Celery tasks over the services. Every one is safe to run twice.

Only `deliveries_send` acknowledges late (and is re-queued if its worker dies): a second run
claims nothing that the first one took. Long delays live in the database (`retry_after`) and
beat, never in countdowns, so nothing waits in Redis beyond its visibility timeout.
"""

from celery import shared_task
from django.conf import settings


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.TWINNING_DELIVERY_TASK_TIME_LIMIT - 10,
    time_limit=settings.TWINNING_DELIVERY_TASK_TIME_LIMIT,
)
def deliveries_send(delivery_ids):
    from .services import deliveries_send

    return deliveries_send(delivery_ids=delivery_ids)


@shared_task
def deliveries_dispatch(kind, object_id):
    from .services import deliveries_dispatch

    return deliveries_dispatch(kind=kind, object_id=object_id)


@shared_task
def deliveries_sweep():
    from .services import deliveries_sweep

    return deliveries_sweep()


@shared_task
def stories_publish_due():
    from .services import stories_publish_due

    return stories_publish_due()


@shared_task
def digests_compose():
    from .services import digests_compose

    return digests_compose()


@shared_task
def subscribers_purge_unconfirmed():
    import datetime

    from .services import subscribers_purge_unconfirmed

    return subscribers_purge_unconfirmed(older_than=datetime.timedelta(days=30))
