from django.db import migrations


def sync_groups(apps, schema_editor):
    from twinning.groups import staff_groups_sync

    staff_groups_sync(apps)


class Migration(migrations.Migration):
    """Programme managers invite fellows to keep their profiles (fellows.invitation)."""

    dependencies = [
        ("twinning", "0002_editors_publish_stories"),
        ("fellows", "0003_publication_consent_and_invitations"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
