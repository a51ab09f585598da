from django.db import migrations


def create_groups(apps, schema_editor):
    from twinning.groups import staff_groups_sync

    staff_groups_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organizations", "0001_initial"),
        ("fellows", "0002_historicalfellow"),
        ("stories", "0002_historicalstory"),
        ("events", "0001_initial"),
        ("subscriptions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
