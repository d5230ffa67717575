"""The delivery schedule in `slaProperties` is checked against deliveries, so a schedule that
cannot be checked (a time zone nobody knows) is refused when the contract is read."""

from __future__ import annotations

import pytest
from contract_helpers import dump, example_doc

from dataflywheel.errors import BadInput
from dataflywheel.integrations.odcs import parse_odcs


def test_an_unknown_time_zone_is_refused() -> None:
    doc = example_doc("cleaned-raw-pool")
    doc["slaProperties"][1]["value"] = "friday 18:00 Asia/Shanghia"
    with pytest.raises(BadInput) as info:
        parse_odcs(dump(doc), source="bad.odcs.yaml")
    assert str(info.value) == (
        "bad.odcs.yaml: invalid contract; field 'slaProperties.timezone'; expected an IANA time "
        "zone name such as Asia/Shanghai or UTC, not 'Asia/Shanghia'")
