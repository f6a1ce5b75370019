"""The four default topics (专题) of the command center. Existing codes are left alone so a town's edits survive;
a category a town has removed is simply not linked."""

from django.db import migrations

DEFAULT_TOPICS = [
    {
        "code": "river",
        "name": "河长制巡河",
        "name_en": "River chief patrols",
        "description": "河道水务：河道漂浮物、违法排污、河岸垃圾、涵闸与灌排设施，河长巡河发现的问题。",
        "description_en": "Rivers and water: floating rubbish, illegal discharges, litter on the banks, sluices "
        "and irrigation works, problems found on the river chiefs' patrols.",
        "categories": ["water"],
        "keywords": [],
        "season_months": [],
        "sort_order": 10,
    },
    {
        "code": "straw",
        "name": "秸秆禁烧",
        "name_en": "Straw burning ban",
        "description": "夏收（5–6月）与秋收（10–11月）季节的秸秆焚烧：农业农村类事件中提到秸秆、焚烧的。",
        "description_en": "Straw burning in the summer (May–June) and autumn (October–November) harvest "
        "seasons: agriculture cases that mention straw or burning.",
        "categories": ["agriculture"],
        "keywords": ["秸秆", "焚烧", "烧"],
        "season_months": [5, 6, 10, 11],
        "sort_order": 20,
    },
    {
        "code": "dispute",
        "name": "矛盾纠纷",
        "name_en": "Disputes",
        "description": "邻里、婚姻家庭、土地宅基地、劳资等矛盾纠纷的排查与调处。",
        "description_en": "Disputes between neighbours, in families, over land and homesteads or wages: "
        "found and mediated.",
        "categories": ["dispute"],
        "keywords": [],
        "season_months": [],
        "sort_order": 30,
    },
    {
        "code": "safety",
        "name": "安全隐患",
        "name_en": "Safety hazards",
        "description": "消防、燃气、危房、道路与用电等安全隐患的发现与整改。",
        "description_en": "Fire, gas, unsafe buildings, road and electrical hazards: found and put right.",
        "categories": ["safety"],
        "keywords": [],
        "season_months": [],
        "sort_order": 40,
    },
]


def load_default_topics(apps, schema_editor):
    Topic = apps.get_model("command", "Topic")
    Category = apps.get_model("cases", "Category")
    for entry in DEFAULT_TOPICS:
        values = {key: value for key, value in entry.items() if key not in ("code", "categories")}
        topic, created = Topic.objects.get_or_create(code=entry["code"], defaults=values)
        if created:
            topic.categories.set(Category.objects.filter(code__in=entry["categories"]))


class Migration(migrations.Migration):
    dependencies = [("command", "0001_initial"), ("cases", "0002_default_taxonomy")]

    operations = [migrations.RunPython(load_default_topics, migrations.RunPython.noop)]
