from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_seed_topics")]
    operations = []
