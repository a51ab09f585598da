from django.db import migrations


def sync_groups(apps, schema_editor):
    from twinning.groups import staff_groups_sync

    staff_groups_sync(apps)


class Migration(migrations.Migration):
    """Editors may approve and publish stories (stories.publish_story)."""

    dependencies = [
        ("twinning", "0001_staff_groups"),
        ("stories", "0003_review_workflow"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
