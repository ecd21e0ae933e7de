import pytest

from geo.errors import InvalidParameter
from geo.params import BBox, Point, check_radius, parse_bbox, parse_point
from geo.text import fold


def test_parse_bbox_and_point():
    assert parse_bbox(" 9.5, 50.3,10.1,50.8") == BBox(9.5, 50.3, 10.1, 50.8)
    assert parse_point("9.68,50.55") == Point(9.68, 50.55)


@pytest.mark.parametrize("raw", ["1,2,3", "1,2,3,4,5", "", "x,1,2,3", "1,91,2,92", "inf,1,2,3"])
def test_bad_bbox(raw):
    with pytest.raises(InvalidParameter) as err:
        parse_bbox(raw)
    assert err.value.parameter == "bbox"


@pytest.mark.parametrize("radius", [0, -1, float("nan"), 2e6])
def test_bad_radius(radius):
    with pytest.raises(InvalidParameter):
        check_radius(radius, 1e6)


def test_fold_matches_german_spellings():
    assert fold("Fürstenberg") == fold("Fuerstenberg") == "fuerstenberg"
    assert fold("Straße") == "strasse"
    assert fold("Grund- und Hauptschule") == "grund  und hauptschule"
    assert fold("Café") == "cafe"


def test_a_box_holds_boxes_within_it_edges_included():
    box = BBox(9.0, 50.0, 10.0, 51.0)
    assert box.holds(BBox(9.2, 50.2, 9.8, 50.8)) and box.holds(box)
    assert not box.holds(BBox(8.99, 50.2, 9.8, 50.8))
    assert not box.holds(BBox(9.2, 50.2, 9.8, 51.01))
