"""The review pages show each member's earlier trips from the person register and every per-person
limit reached, with its source (docs/rules.md): the FAO's over-limit review of a trip_staff case,
and the director's review of a leader trip, where the reasons are warnings."""

from __future__ import annotations

from tests.web.conftest import scenario_task_page


def test_review_page_shows_previous_trips_and_the_limits_reached(db, make_web):
    text = scenario_task_page(db, make_web, "trip_staff_person_limits", "ut_over_limit_review", "fao_clerk")
    assert "王强：以往出访 1 次" in text
    assert "2025-12-01至2025-12-05 日本" in text and "未交回，应于2025-12-12前交回" in text
    assert "同一单位领导班子成员同团出访" in text and "[S4]" in text
    assert "有团员以往出访的因公护照逾期未交回" in text and "[S8][S9]" in text
    assert "张伟：无以往出访记录" in text


def test_leader_trip_director_sees_the_per_person_limits_as_warnings(db, make_web):
    """trip_leader runs trip_person_limits too: the director's review lists each reason (with the rows
    switched on by the scenario's [settings]) and the members' earlier trips."""
    text = scenario_task_page(db, make_web, "trip_leader_person_limits", "ut_director_review", "fao_director",
                              steps=1)
    assert "厅局级人员两年内出访超过1次（实际 2，上限 1）[S10]" in text
    assert "同时在外的市领导超过2人（实际 3，上限 2）[S13][U]" in text
    assert "刘建国：以往出访 1 次（近两年 1 次）" in text and "2025-09-15至2025-09-20 日本" in text
    assert "李娜：无以往出访记录" in text
