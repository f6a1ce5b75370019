import pytest

from gridgov.core.lookups import upper_bound
from gridgov.geo.models import Area
from gridgov.testing.factories import make_area


def test_upper_bound():
    assert upper_bound("/3206/") == "/32060"
    assert upper_bound("ab") == "ac"


@pytest.mark.django_db
def test_within_matches_exactly_startswith():
    city = make_area("320600", "南通市", "city")
    district = make_area("320612", "通州区", "district", city)
    make_area("320612100", "镇", "town", district)
    make_area("3206120", "odd", "district", city)  # shares the digits but not the path prefix
    other = make_area("320700", "连云港市", "city")
    for prefix in [city.path, district.path, other.path, "/3206", "/"]:
        within = set(Area.objects.filter(path__within=prefix).values_list("code", flat=True))
        starts = {a.code for a in Area.objects.all() if a.path.startswith(prefix)}
        assert within == starts, prefix
