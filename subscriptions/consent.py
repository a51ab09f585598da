"""The words a subscriber agrees to, versioned: a consent record stores the exact text shown.

Never edit a published version; add a new one and point CURRENT_VERSION at it.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

TEXTS = {
    "2026-11": _(
        "I would like to receive emails from the Twinning programme about what I chose to "
        "follow. I can change my choices or unsubscribe at any time through the link in every "
        "email. Twinning keeps my email address, my choices and this consent, and uses them "
        "for nothing else."
    ),
}
CURRENT_VERSION = "2026-11"


def current_text():
    return TEXTS[CURRENT_VERSION]


def text(version, language) -> str:
    """The text of `version` in `language`, as the person read it on the form."""
    wording = TEXTS.get(version) or TEXTS[CURRENT_VERSION]
    with translation.override(language or "en"):
        return str(wording)
