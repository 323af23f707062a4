"""GX names every metric it plans by an MD5 of its kwargs' JSON, some thousand times per validation for a few
dozen distinct kwargs; within one validation recon remembers each id by the kwargs' content
(:class:`recon.speed.gxmemo.Shared`). These tests show that a remembered id is the id GX computes, and that
kwargs differing in anything the id covers never share one.
"""

from __future__ import annotations

import pytest

from recon.speed import gxmemo

COUNTRIES = [["East and Horn of Africa", "Kenya"], ["East and Horn of Africa", "Uganda"]] * 75  # a value set
CONDITION = {"column": {"name": "country_known"}, "operator": "==", "parameter": 1, "type": "comparison"}


def test_content_keyed_answers_are_shared_between_objects_holding_the_same():
    class Kwargs(dict):
        asked = 0

        def to_id(self):
            Kwargs.asked += 1
            return f"id{Kwargs.asked}"

    with gxmemo.remembered([(Kwargs, "to_id", lambda k: gxmemo.Shared((repr(sorted(k.items())),)))]):
        one, same, other = Kwargs(column="area"), Kwargs(column="area"), Kwargs(column="country")
        assert one.to_id() == same.to_id() == "id1" and other.to_id() == "id2"
    assert Kwargs.asked == 2
    assert one.to_id() == "id3"  # the class is itself again afterwards


@pytest.fixture(scope="module")
def gx_ids():
    """GX's IDDict as recon.rules.gx remembers it (importing recon.rules.gx is what imports GX)."""
    from great_expectations.core.id_dict import IDDict

    from recon.rules.gx import _kwargs_key

    return IDDict, _kwargs_key


KWARGS = [
    {"batch_id": "recon-entries", "column": "country_printed", "row_condition": CONDITION, "table": None,
     "condition_parser": None},
    {"batch_id": "recon-entries", "column": "country_printed", "row_condition": None, "table": None,
     "condition_parser": None},
    {"batch_id": "recon-entries", "column": "country_printed",
     "row_condition": {**CONDITION, "parameter": 0}, "table": None, "condition_parser": None},
    {"batch_id": "recon-entries", "column": "area", "row_condition": CONDITION, "table": None,
     "condition_parser": None},
    {"value_set": COUNTRIES},
    {"value_set": COUNTRIES[:-1]},
    {"value_set": COUNTRIES, "parse_strings_as_datetimes": False},
    {"min_value": 0.0, "max_value": None, "strict_min": False, "strict_max": False},
    {"min_value": 0, "max_value": None, "strict_min": False, "strict_max": False},
    {"min_value": 0.0, "max_value": 1.0, "strict_min": False, "strict_max": True},
    {"include_nested": True},
    {},
]


def test_a_remembered_metric_id_is_the_id_gx_computes(gx_ids):
    IDDict, key = gx_ids
    plain = [IDDict(k).to_id() for k in KWARGS] + [IDDict(KWARGS[0]).to_id(id_ignore_keys={"batch_id"})]
    with gxmemo.remembered([(IDDict, "to_id", key)]):
        for _ in range(2):  # the second round answers from memory
            remembered = [IDDict(dict(k)).to_id() for k in KWARGS] + \
                [IDDict(dict(KWARGS[0])).to_id(id_ignore_keys={"batch_id"})]
            assert remembered == plain
    assert len(set(plain)) == len(plain)  # each case differs from the others in what its id covers
