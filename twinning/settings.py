"""Twinning settings: one module, read from the environment (12-factor).

Development needs no configuration at all (`make run`): SQLite, eager Celery tasks, emails
written to files. Production switches each part by an environment variable; see
`.env.example`. `manage.py check --deploy` is clean when the production variables are set.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development gets a fixed throwaway key; anything else must provide one.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("TWINNING_SITE_URL", default="http://127.0.0.1:8000")

ROOT_URLCONF = "twinning.urls"
WSGI_APPLICATION = "twinning.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# People sign in on the site's own pages (django-allauth), the admin's staff included.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "allauth",
    "allauth.account",
    # Ours, lowest in the dependency chain first.
    "common",
    "accounts",
    "organizations",
    "fellows",
    "stories",
    "events",
    "subscriptions",
    "twinning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "common.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Shows each fellow's profile fields to the audience they chose (after authentication).
    "fellows.visibility.AudienceMiddleware",
    # Records who made each change in the story and fellow histories.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "twinning.context_processors.site",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database and cache
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Accounts (django-allauth)
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Django's own (the email is the USERNAME_FIELD): `authenticate()`, the test client…
    "django.contrib.auth.backends.ModelBackend",
    # …and allauth's, for its pages, which add the rate limits and the verification.
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# allauth's forms without placeholders: every field on the site has a visible label.
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Nobody signs in before their address is confirmed; the confirmation signs them in.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One address per account, changed by confirming the new one (it is also the login).
ACCOUNT_CHANGE_EMAIL = True
# No form tells whether an address has an account: sign-up of a known address and a
# password reset for an unknown one answer as usual and say the rest by email.
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's default rate limits stay on (ACCOUNT_RATE_LIMITS is left unset): failed logins
# per address and per client, sign-ups, password resets… They count in the cache.
# Changing the address asks for the password first (then not again for 5 minutes), and a
# changed password or address is told by email, so that a taken-over account gets noticed.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Twinning: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env.bool("DJANGO_HTTPS", default=False) else "http"
# Clients are told apart by address for the rate limits: the number of proxies in front of
# the site whose X-Forwarded-For may be trusted (0: use the connection's address).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TWINNING_TRUSTED_PROXY_COUNT", default=0)

# ------------------------------------------------------------------------------
# Passwords
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------
# Languages and time
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Date formats per language (British order in English, 年月日 in Chinese).
FORMAT_MODULE_PATH = ["twinning.formats"]
TIME_ZONE = "UTC"
USE_TZ = True

# ------------------------------------------------------------------------------
# Static and media files
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads beyond this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ------------------------------------------------------------------------------
# Email (Django 6.1 MAILERS)
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Twinning <news@twinning.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email["EMAIL_HOST_USER"],
                "password": _email["EMAIL_HOST_PASSWORD"],
                "use_tls": _email.get("EMAIL_USE_TLS", False),
                "use_ssl": _email.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            },
        }
    }
else:
    # Development: every message becomes a file you can open in sent_emails/.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {
                "file_path": env.path("EMAIL_FILE_PATH", default=BASE_DIR / "sent_emails")
            },
        }
    }

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the tasks run in-process, which is what `make run` wants.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# Publishing a story must not hang on a broker that is down: connect and publish give up
# within about a second and the beat sweep enqueues the deliveries later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that died comes back after this long (acks_late tasks only).
    "visibility_timeout": 600,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Each worker process takes one task at a time: a batch of emails is a long task.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE = {
    "publish-due-stories": {
        "task": "subscriptions.tasks.stories_publish_due",
        "schedule": 60.0,
    },
    "sweep-deliveries": {
        "task": "subscriptions.tasks.deliveries_sweep",
        "schedule": 60.0,
    },
    "compose-weekly-digests": {
        "task": "subscriptions.tasks.digests_compose",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "sweep-profile-emails": {
        "task": "fellows.tasks.profile_emails_sweep",
        "schedule": 600.0,
    },
    "purge-unconfirmed-subscribers": {
        "task": "subscriptions.tasks.subscribers_purge_unconfirmed",
        "schedule": crontab(minute=30, hour=3),
    },
}

# ------------------------------------------------------------------------------
# Subscriptions: the email outbox
# ------------------------------------------------------------------------------
# Emails per send task (one SMTP connection each).
TWINNING_DELIVERY_BATCH_SIZE = env.int("TWINNING_DELIVERY_BATCH_SIZE", default=100)
# A send task is stopped after this many seconds…
TWINNING_DELIVERY_TASK_TIME_LIMIT = env.int("TWINNING_DELIVERY_TASK_TIME_LIMIT", default=120)
# …so rows it claimed longer ago than this belong to a dead worker and are released.
TWINNING_DELIVERY_CLAIM_TIMEOUT = env.int(
    "TWINNING_DELIVERY_CLAIM_TIMEOUT", default=TWINNING_DELIVERY_TASK_TIME_LIMIT + 60
)
# Rows queued longer than this without being claimed lost their task: the sweep re-sends it.
TWINNING_DELIVERY_QUEUED_GRACE = env.int("TWINNING_DELIVERY_QUEUED_GRACE", default=120)
# Sign-up attempts: per address, and per client (IP address), in an hour.
TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS = env.int("TWINNING_SUBSCRIBE_LIMIT_PER_ADDRESS", default=3)
TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT = env.int("TWINNING_SUBSCRIBE_LIMIT_PER_CLIENT", default=20)

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
# Behind HTTPS in production: DJANGO_HTTPS=1 turns on redirects, HSTS and secure cookies.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Video players, loaded only when a visitor presses play, from the providers'
    # privacy-enhanced hosts: exactly common.video.EMBED_ORIGINS (a test keeps them equal).
    "frame-src": [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://player.bilibili.com",
        "https://player.youku.com",
    ],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

# ------------------------------------------------------------------------------
# Logging: to stderr, where the process manager collects it.
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# ------------------------------------------------------------------------------
# Site
# ------------------------------------------------------------------------------
TWINNING_PAGE_SIZE = 24
