"""The two staff groups and what each may do in the admin.

Editors write and publish stories, events and newsletters (only they hold
`stories.publish_story`: approving a story submitted for review); programme managers run the
exchange rounds: organisations, pairings and fellows. Each may *view* what the other manages,
because the admin's autocomplete (a story's fellows, a pairing's topic) needs it.
The data migration `twinning/migrations/0001_staff_groups.py` creates them; running
`staff_groups_sync()` again brings existing groups back to this definition (a data migration
calls it whenever the definition changes, e.g. `0002_editors_publish_stories.py`).
Actions are codename prefixes: "publish" on "stories.story" is `stories.publish_story`.
"""

from django.apps import apps as global_apps

EDITORS = "Editors"
PROGRAMME_MANAGERS = "Programme managers"

ALL = ("add", "change", "delete", "view")
WRITE = ("add", "change", "view")
VIEW = ("view",)
PUBLISH = ("publish",)  # stories.publish_story: approve, schedule and publish

GROUPS = {
    EDITORS: {
        "stories.story": ALL + PUBLISH,
        "stories.keyword": ALL,
        "events.event": ALL,
        "events.speaker": ALL,
        "subscriptions.newsletter": WRITE,
        "subscriptions.delivery": VIEW,
        "organizations.topic": VIEW,
        "organizations.organization": VIEW,
        "organizations.exchangeround": VIEW,
        "organizations.pairing": VIEW,
        "fellows.fellow": VIEW,
    },
    PROGRAMME_MANAGERS: {
        "organizations.topic": ALL,
        "organizations.organization": ALL,
        "organizations.exchangeround": ALL,
        "organizations.pairing": ALL,
        "fellows.fellow": ALL,
        "fellows.invitation": ("add", "view"),
        "fellows.profilereminder": VIEW,  # made by the "ask to confirm" action
        "stories.story": VIEW,
        "events.event": VIEW,
    },
}


def staff_groups_sync(apps=global_apps):
    """Create or update the groups with exactly the permissions above."""
    from django.contrib.auth.management import create_permissions

    # In a migration the permissions of freshly created models may not exist yet, and the
    # migration's app configs have no models module, which create_permissions requires.
    # The real app configs have one, and must keep it: post_migrate handlers skip an app
    # without it (a later flush would then not re-create its content types).
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for model_label, actions in grants.items():
            app_label, model_name = model_label.split(".")
            permissions += Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model_name}" for action in actions],
            )
        group.permissions.set(permissions)
