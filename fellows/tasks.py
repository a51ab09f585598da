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
def profile_email_send(kind, pk):
    """Send an invitation or a reminder ("invitation" / "reminder", its primary key)."""
    from .services import profile_email_send

    return profile_email_send(kind=kind, pk=pk)


@shared_task
def profile_emails_sweep():
    from .services import profile_emails_sweep

    return profile_emails_sweep()
