"""Thin Celery tasks over fellows.services; each is safe to run twice."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def invitation_send(invitation_id):
    from .services import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_sweep():
    from .services import invitations_sweep

    return invitations_sweep()
