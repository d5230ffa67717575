"""RACI rules and resolution, without a database."""

from __future__ import annotations

from typing import Any

import pytest

from dataflywheel.domain.policies.raci import parse_matrix, resolve
from dataflywheel.domain.records.people import RoleHolding
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput, PolicyViolation


def _matrix(**item: Any) -> dict[str, Any]:
    base = {"id": "training_set_version_release", "title": "Release", "A": "data_owner",
            "R": ["data_engineer"], "C": ["quality_evaluator"], "I": ["platform_engineer"]}
    return {"items": [base | item]}


def _hold(person: str, role: Role, project: str | None = None) -> RoleHolding:
    return RoleHolding(id=RoleHolding.make_id(person, role, project), person_id=person, role=role,
                       project_id=project)


def test_two_accountables_on_one_item_is_refused_naming_it() -> None:
    with pytest.raises(BadInput) as info:
        parse_matrix(_matrix(A=["data_owner", "platform_engineer"]), source="raci.yaml")
    assert str(info.value) == (
        "raci.yaml: RACI rule broken: training_set_version_release: needs exactly one Accountable (A) "
        "role, has data_owner, platform_engineer; expected exactly one A per item. "
        "Kept: nothing was changed"
    )


def test_no_responsible_means_the_accountable_does_it() -> None:
    """Table 24-7 leaves R empty for cross-team data-sharing approval: the A decides alone."""
    matrix = parse_matrix(_matrix(R=[]), source="raci.yaml")
    _, assignments = matrix.to_records()
    answer = resolve("training_set_version_release", None, assignments=assignments,
                     holdings=[_hold("ana", Role.DATA_OWNER), _hold("bo", Role.DATA_ENGINEER)])
    assert (answer.accountable, answer.responsible, answer.roles["R"]) == ("ana", ["ana"], [])


def test_unknown_role_is_refused_with_the_known_ones() -> None:
    with pytest.raises(BadInput) as info:
        parse_matrix(_matrix(C=["chief_vibes_officer"]), source="raci.yaml")
    message = str(info.value)
    assert message.startswith("raci.yaml: unknown role 'chief_vibes_officer'; expected one of data_owner")


def test_unknown_field_names_the_item() -> None:
    with pytest.raises(BadInput) as info:
        parse_matrix(_matrix(X=["data_owner"]), source="raci.yaml")
    assert "field 'items[0](training_set_version_release).X'" in str(info.value)


def test_override_of_unknown_item_is_refused() -> None:
    doc = _matrix() | {"projects": {"P1": [{"id": "nope", "title": "n", "A": "data_owner",
                                            "R": ["data_engineer"]}]}}
    with pytest.raises(BadInput, match=r"nope \(project P1\): not an item of the matrix"):
        parse_matrix(doc, source="raci.yaml")


def test_resolve_names_people_per_letter() -> None:
    matrix = parse_matrix(_matrix(), source="m")
    _, assignments = matrix.to_records()
    holdings = [_hold("ann", Role.DATA_OWNER), _hold("bo", Role.DATA_ENGINEER),
                _hold("cy", Role.QUALITY_EVALUATOR), _hold("di", Role.PLATFORM_ENGINEER)]
    answer = resolve("training_set_version_release", "P1", assignments=assignments, holdings=holdings)
    assert (answer.accountable, answer.responsible, answer.consulted, answer.informed) == (
        "ann", ["bo"], ["cy"], ["di"])


def test_project_holder_replaces_team_wide_holder() -> None:
    _, assignments = parse_matrix(_matrix(), source="m").to_records()
    holdings = [_hold("ann", Role.DATA_OWNER), _hold("zed", Role.DATA_OWNER, "P2")]
    assert resolve("training_set_version_release", "P2", assignments=assignments,
                   holdings=holdings).accountable == "zed"
    assert resolve("training_set_version_release", "P1", assignments=assignments,
                   holdings=holdings).accountable == "ann"


def test_project_override_replaces_team_wide_assignment() -> None:
    doc = _matrix() | {"projects": {"P2": [{"id": "training_set_version_release", "title": "R",
                                            "A": "algorithm_engineer", "R": ["data_engineer"]}]}}
    _, assignments = parse_matrix(doc, source="m").to_records()
    holdings = [_hold("ann", Role.DATA_OWNER), _hold("al", Role.ALGORITHM_ENGINEER)]
    assert resolve("training_set_version_release", "P2", assignments=assignments,
                   holdings=holdings).accountable == "al"


@pytest.mark.parametrize("holders", [[], ["ann", "bea"]])
def test_accountable_must_be_one_person(holders: list[str]) -> None:
    _, assignments = parse_matrix(_matrix(), source="m").to_records()
    holdings = [_hold(p, Role.DATA_OWNER) for p in holders]
    with pytest.raises(PolicyViolation) as info:
        resolve("training_set_version_release", None, assignments=assignments, holdings=holdings)
    assert "no single Accountable person for 'training_set_version_release'" in str(info.value)
    assert "Next: flywheel people grant-role PERSON data_owner" in str(info.value)


def test_unknown_item() -> None:
    with pytest.raises(BadInput, match="unknown RACI item 'nope'"):
        resolve("nope", None, assignments=[], holdings=[])
