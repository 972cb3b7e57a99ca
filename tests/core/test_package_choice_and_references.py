"""Which built-in feed packages a set of processes needs, and the ``--packages`` choice."""

from __future__ import annotations

import json

import pytest

from octodesk.core.packages.choice import LATEST, NONE, PackageChoice
from octodesk.core.packages.references import built_in_package_ids

FEEDS = [
    {"Id": "Feeds-1001", "FeedType": "BuiltIn"},
    {"Id": "Feeds-1002", "FeedType": "NuGet"},
    {"Id": "Feeds-1003", "FeedType": "OctopusProject"},
]


def process(*actions: dict[str, object]) -> dict[str, object]:
    return {"Id": "deploymentprocess-Projects-1", "Steps": [{"Name": "step", "Actions": list(actions)}]}


def package(package_id: str, feed_id: str | None) -> dict[str, object]:
    return {"Name": "", "PackageId": package_id, "FeedId": feed_id, "Properties": {}}


def test_packages_on_the_built_in_feed_count_and_others_do_not() -> None:
    found = built_in_package_ids(
        [
            process(
                {"Packages": [package("Acme.Web", "Feeds-1001"), package("Acme.External", "Feeds-1002")]},
                {"Packages": [package("Projects-7", "Feeds-1003")]},  # a Deploy-a-Release step
                {"Packages": [package("Acme.Default", "feeds-builtin")]},  # a default space's built-in id
            )
        ],
        [],
        FEEDS,
    )
    assert found == ["Acme.Default", "Acme.Web"]


def test_legacy_properties_package_parameters_and_step_templates_count() -> None:
    legacy = {
        "Properties": {
            "Octopus.Action.Package.PackageId": "Acme.Legacy",
            "Octopus.Action.Package.FeedId": "Feeds-1001",
        }
    }
    parameter = {"Properties": {"Tool": json.dumps({"PackageId": "Acme.Tool", "FeedId": "Feeds-1001"})}}
    template = {
        "Id": "ActionTemplates-1",
        "Packages": [package("Acme.FromTemplate", "Feeds-1001")],
        "Parameters": [
            {"Name": "Agent", "DefaultValue": '{"PackageId":"Acme.Default.Agent","FeedId":"Feeds-1001"}'}
        ],
    }
    found = built_in_package_ids([process(legacy, parameter)], [template], FEEDS)
    assert found == ["Acme.Default.Agent", "Acme.FromTemplate", "Acme.Legacy", "Acme.Tool"]


def test_variable_expressions_are_left_out_and_ids_are_counted_once_ignoring_case() -> None:
    found = built_in_package_ids(
        [
            process(
                {"Packages": [package("#{Package.Id}", "Feeds-1001"), package("Acme.Web", "#{Feed}")]},
                {"Packages": [package("Acme.Web", "Feeds-1001"), package("ACME.WEB", "FEEDS-1001")]},
                {"Packages": [package("Acme.Deferred", None), package("", "Feeds-1001")]},
            )
        ],
        [],
        FEEDS,
    )
    assert found == ["Acme.Web"]


@pytest.mark.parametrize(
    ("text", "versions", "label"),
    [
        ("none", 0, "none"),
        ("latest", 1, "latest"),
        ("LATEST", 1, "latest"),
        ("1", 1, "latest"),
        ("3", 3, "3"),
    ],
)
def test_choices_parse(text: str, versions: int, label: str) -> None:
    choice = PackageChoice.parse(text)
    assert (choice.versions, choice.label) == (versions, label)
    assert PackageChoice.parse(choice.label) == choice


@pytest.mark.parametrize("text", ["", "all", "-1", "1.5", "1001"])
def test_a_bad_choice_says_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="none, latest, or how many"):
        PackageChoice.parse(text)


def test_descriptions() -> None:
    assert NONE.describe() == "no packages" and not NONE.copies
    assert LATEST.describe() == "the newest version of each package"
    assert PackageChoice(3).describe() == "the newest 3 versions of each package"
