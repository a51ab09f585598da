from django.db import migrations


def sync_groups(apps, schema_editor):
    from twinning.groups import staff_groups_sync

    staff_groups_sync(apps)


class Migration(migrations.Migration):
    """Programme managers invite fellows to keep their profiles and ask them to confirm them
    (fellows.invitation, fellows.profilereminder)."""

    dependencies = [
        ("twinning", "0002_editors_publish_stories"),
        ("fellows", "0004_profile_reminders"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
