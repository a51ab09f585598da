from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Small pieces every app may use (list views, Markdown rendering). Imports nothing of ours."""

    name = "common"
