"""Signed links in emails: confirm a subscription, manage it, leave it.

Every token is signed with the secret key (django.core.signing) and salted per purpose, so a
confirmation token cannot be used as a management token and vice versa. Management tokens
carry the subscriber's random `key`, not its id: they cannot be guessed from one another.
A tampered, expired or foreign token raises `BadToken`; views answer 400 or 404 with a page.
"""

import datetime
import time

from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
MANAGE_SALT = "subscriptions.manage"
CONFIRM_MAX_AGE = datetime.timedelta(days=3)


class BadToken(Exception):
    """The link was altered, has expired, or belongs to no subscriber."""


def confirm_token(payload: dict) -> str:
    """Sign the choices made on the form, stamped with the time the link is made."""
    return signing.dumps({**payload, "t": time.time()}, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> tuple[dict, datetime.datetime]:
    """The payload and the time the link was made; BadToken when invalid or expired."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        made_at = datetime.datetime.fromtimestamp(float(payload.pop("t")), tz=datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError) as error:
        raise BadToken(str(error)) from error
    if not isinstance(payload, dict):
        raise BadToken("not a confirmation payload")
    return payload, made_at


def manage_token(subscriber) -> str:
    return signing.dumps(subscriber.key, salt=MANAGE_SALT)


def read_manage_token(token: str) -> str:
    """The subscriber key the token was made for; BadToken when it was altered."""
    try:
        return signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature as error:
        raise BadToken(str(error)) from error
