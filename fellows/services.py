"""Fellows' own profiles: who may edit them, saving them with their publication choices, and
the invitations that tie a profile to an account."""

from datetime import timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.renditions import renditions_delete
from common.tasks import enqueue, enqueue_on_commit
from fellows.tasks import profile_email_send as profile_email_send_task

from .models import INVITATION_VALID_FOR, Fellow, Invitation, ProfileReminder

INVITATION_SALT = "fellows.invitation"
# A fellow is asked to confirm their profile at most once in this long.
REMINDER_GAP = timedelta(days=7)


def fellow_can_edit(*, fellow: Fellow, user) -> bool:
    """A fellow edits their own profile; programme managers edit any (in the admin)."""
    if not user.is_authenticated:
        return False
    if fellow.pk is None:
        return user.has_perm("fellows.add_fellow")
    return fellow.user_id == user.pk or user.has_perm("fellows.change_fellow")


@transaction.atomic
def fellow_profile_save(*, fellow: Fellow, by, record_consent: bool = True) -> Fellow:
    """Save a profile edited on the site or in the admin.

    The publication choices saved with it are recorded as consent (`record_consent`, which
    the admin sets only when a choice changed): given by the fellow, or recorded by staff
    for them. When the owner saves, the profile also counts as confirmed up to date. A photo
    replaced or removed is deleted with its renditions once the change is committed.
    """
    if not fellow_can_edit(fellow=fellow, user=by):
        raise PermissionDenied
    previous_photo = (
        Fellow.objects.filter(pk=fellow.pk).values_list("photo", flat=True).first()
        if fellow.pk
        else None
    )
    now = timezone.now()
    if record_consent:
        fellow.consent_recorded_at = now
        fellow.consent_recorded_by = by
    if fellow.user_id == by.pk:
        fellow.confirmed_at = now
    fellow.full_clean()
    fellow.save()
    if previous_photo and previous_photo != fellow.photo.name:
        photo_delete_on_commit(fellow, previous_photo)
    return fellow


@transaction.atomic
def fellow_delete(*, fellow: Fellow, by) -> None:
    """Delete a profile, and its photo with every rendition once that is committed."""
    if not by.has_perm("fellows.delete_fellow"):
        raise PermissionDenied
    if fellow.photo:
        photo_delete_on_commit(fellow, fellow.photo.name)
    fellow.delete()


def photo_delete_on_commit(fellow: Fellow, name: str) -> None:
    # A photo its owner replaced or removed must not stay reachable, renditions included;
    # the files go only if the change that drops them is committed.
    transaction.on_commit(partial(renditions_delete, fellow.photo.storage, name))


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link stands for, or None when the link is tampered with or expired."""
    try:
        pk = signing.loads(
            token, salt=INVITATION_SALT, max_age=INVITATION_VALID_FOR.total_seconds()
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(pk, int):
        return None
    return Invitation.objects.select_related("fellow").filter(pk=pk).first()


@transaction.atomic
def invitation_create(*, fellow: Fellow, email: str, by, language: str = "en") -> Invitation:
    """Invite `email` to take over `fellow`'s profile; the email leaves after commit."""
    invitation = Invitation(
        fellow=fellow, email=email.strip().lower(), language=language, created_by=by
    )
    invitation.full_clean()
    invitation.save()
    enqueue_on_commit(profile_email_send_task, "invitation", invitation.pk)
    return invitation


@transaction.atomic
def reminders_create(*, fellows, by) -> list[ProfileReminder]:
    """Ask each fellow with an account to check and confirm their profile, by email, unless
    they were asked in the last REMINDER_GAP. Returns the reminders made."""
    recent = ProfileReminder.objects.filter(created_at__gte=timezone.now() - REMINDER_GAP)
    reminders = []
    asked = fellows.filter(user__isnull=False).exclude(profilereminders__in=recent)
    for fellow in asked.select_related("user"):
        reminder = ProfileReminder(
            fellow=fellow,
            email=fellow.user.email,
            language=fellow.user.language or fellow.likely_language,
            created_by=by,
        )
        reminder.full_clean()
        reminder.save()
        enqueue_on_commit(profile_email_send_task, "reminder", reminder.pk)
        reminders.append(reminder)
    return reminders


PROFILE_EMAILS = {"invitation": Invitation, "reminder": ProfileReminder}


def profile_email_send(*, kind: str, pk: int) -> bool:
    """Send one invitation or reminder, once. Returns False when there is nothing to send.

    The row is locked while the message goes out, so two runs of the task cannot both send
    it; a failure leaves it unsent, counts the attempt and raises, and the task retries.
    """
    model = PROFILE_EMAILS[kind]
    try:
        with transaction.atomic():
            row = (
                model.objects.select_for_update(of=("self",))
                .select_related("fellow__user")
                .filter(pk=pk)
                .first()
            )
            if row is None or row.sent_at or not row.is_due:
                return False
            _message(kind, row).send()
            row.sent_at = timezone.now()
            row.send_attempts += 1
            row.last_error = ""
            row.save(update_fields=["sent_at", "send_attempts", "last_error"])
    except Exception as error:
        model.objects.filter(pk=pk, sent_at__isnull=True).update(
            send_attempts=F("send_attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:300],
        )
        raise
    return True


def profile_emails_sweep() -> int:
    """Re-enqueue the invitations and reminders a broker outage or an exhausted retry left
    unsent. Returns how many."""
    count = 0
    for kind, model in PROFILE_EMAILS.items():
        for pk in model.objects.unsent().values_list("pk", flat=True):
            enqueue(profile_email_send_task, kind, pk)
            count += 1
    return count


def _message(kind: str, row) -> EmailMultiAlternatives:
    fellow = row.fellow
    if kind == "invitation":
        path = reverse("fellows:invitation", args=[invitation_token(row)])
    else:
        path = reverse("fellows:mine")
    context = {
        "fellow": fellow,
        "link": settings.SITE_URL.rstrip("/") + path,
        "row": row,
        "site_url": settings.SITE_URL,
        "email": row.email,
    }
    with translation.override(row.language):
        subject = " ".join(render_to_string(f"emails/fellows/{kind}_subject.txt", context).split())
        text = render_to_string(f"emails/fellows/{kind}.txt", context)
        html = render_to_string(f"emails/fellows/{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[row.email])
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None):
    """Tie the invited profile to `user`, or to a new account for the invited address with
    `password` (confirmed: the link reached that mailbox). Returns the account."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.fellow = Fellow.objects.select_for_update().get(pk=invitation.fellow_id)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has been used or has expired."))
    User = get_user_model()
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this address exists: sign in first."))
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            name=invitation.fellow.name,
            language=invitation.language,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif Fellow.objects.filter(user=user).exists():
        raise ValidationError(_("Your account already keeps another fellow profile."))
    invitation.fellow.user = user
    invitation.fellow.save(update_fields=["user", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def invitations_accept_for(*, user, email: str) -> Invitation | None:
    """Accept the newest usable invitation to `email` for `user`, who has just confirmed that
    address; idempotent: nothing happens when there is none or the user keeps a profile."""
    if Fellow.objects.filter(user=user).exists():
        return None
    candidates = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, fellow__user__isnull=True
    ).select_related("fellow")
    invitation = next((i for i in candidates if i.is_usable), None)
    if invitation is None:
        return None
    invitation_accept(invitation=invitation, user=user)
    return invitation
