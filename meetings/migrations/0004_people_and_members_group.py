from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_search_index")]
    operations = []
