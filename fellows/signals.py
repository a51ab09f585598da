"""Receivers of django-allauth's signals (third-party workflows; see STYLE.md, convention 8)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import invitations_accept_for


@receiver(email_confirmed, dispatch_uid="fellows.invitation_on_email_confirmed")
def accept_invitation_of_confirmed_address(sender, request, email_address, **kwargs):
    """A fellow who signed up on their own with the invited address gets the profile as soon
    as the address is confirmed, as if they had followed the invitation's link."""
    invitations_accept_for(user=email_address.user, email=email_address.email)
