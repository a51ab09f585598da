from django.conf import settings
from django.utils import translation


def supported_language(code: str | None = None) -> str:
    """`code` (by default the language of the page being read) as one of
    settings.LANGUAGES: 'zh-hans' for 'zh-Hans' or 'zh-cn', the default language for
    anything unknown. The language an email is written in, when nobody chose one."""
    try:
        return translation.get_supported_language_variant(
            (code or translation.get_language() or "").lower()
        )
    except LookupError:
        return settings.LANGUAGE_CODE
