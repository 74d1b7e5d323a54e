"""The change history as an audit trail: one entry per change, naming what changed from what to
what (supporting organisations included), in the reader's language."""
from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from memoranda import services as memoranda_services
from memoranda.models import Commitment, Organisation, Status
from memoranda.parsing import parse_memorandum
from memoranda.sources import source_checksum
from tests.factories import UserFactory, member_of
from tracker import services
from tracker.history import history_entries
from tracker.models import Role

pytestmark = pytest.mark.django_db

FIFTH = """Fifth Plenary Session of the Hong Kong/Beijing Co-operation Conference held in Hong Kong

The Chief Executive and the Mayor of Beijing convened the Fifth Plenary Session of the Hong Kong/Beijing Co-operation Conference in Hong Kong today (November 20).

At the meeting, Hong Kong and Beijing reached consensus on the following two co-operation areas:

Services Industries

The Hong Kong Trade Development Council would again form a delegation of services industries to attend the China Beijing International Fair for Trade in Services.

City Management and Public Services

The two sides would encourage the MTR Corporation Limited and relevant enterprises in Beijing to deepen co-operation in transport-oriented development, railway operation and maintenance and professional training.
"""


@pytest.fixture
def commitment(fourth_plenary) -> Commitment:
    return Commitment.objects.get(ref="HKBJ-4-6.5")


@pytest.fixture
def coordinator(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR, user__username="connie")


@pytest.fixture
def tdc(fourth_plenary) -> Organisation:
    return Organisation.objects.get(name="Hong Kong Trade Development Council")


def entries(commitment: Commitment):
    return history_entries(list(Commitment.objects.get(pk=commitment.pk).history.select_related("history_user")))


def assign(commitment: Commitment, by, *, supporting, due_on=None) -> Commitment:
    commitment.refresh_from_db()
    return services.commitment_assign(
        commitment=commitment, by=by, lead_organisation=commitment.lead_organisation,
        supporting_organisations=supporting, responsible_officer=commitment.responsible_officer, due_on=due_on,
    )


def test_adding_a_supporting_organisation_is_one_entry_naming_it_and_the_other_changes(commitment, coordinator, tdc):
    records_before = commitment.history.count()
    supporting = list(commitment.supporting_organisations.all())
    assign(commitment, coordinator, supporting=[*supporting, tdc], due_on=datetime.date(2025, 12, 31))

    assert commitment.history.count() == records_before + 1
    latest = entries(commitment)[0]
    assert latest.reason == "Owners and due date set"
    assert latest.who == "connie"
    changes = {change.field: change for change in latest.changes}
    assert changes["supporting organisations"].added == ["Hong Kong Trade Development Council"]
    assert changes["supporting organisations"].removed == []
    assert (changes["due on"].old, changes["due on"].new) == ("none", "31 December 2025")
    assert set(changes) == {"supporting organisations", "due on"}


def test_removing_a_supporting_organisation_names_it(commitment, coordinator, tdc):
    supporting = list(commitment.supporting_organisations.all())
    assign(commitment, coordinator, supporting=[*supporting, tdc])
    assign(commitment, coordinator, supporting=supporting)

    latest = entries(commitment)[0]
    assert [(change.field, change.added, change.removed) for change in latest.changes] == [
        ("supporting organisations", [], ["Hong Kong Trade Development Council"])
    ]


def test_saving_nothing_new_adds_no_visible_change(commitment, coordinator):
    assign(commitment, coordinator, supporting=list(commitment.supporting_organisations.all()))
    latest = entries(commitment)[0]
    assert latest.reason == "Owners and due date set"
    assert latest.changes == []


def test_accepting_an_update_names_the_status_and_progress_it_moved(commitment, coordinator):
    update = services.progress_update_create(
        commitment=commitment, author=UserFactory(), proposed_status=Status.ON_TRACK, proposed_progress=30,
        narrative="Two exchange visits were held.", submit=True, notify=False,
    )
    services.progress_update_accept(update=update, reviewer=coordinator, notify=False)

    latest = entries(commitment)[0]
    assert latest.reason == f"Accepted progress update #{update.pk}"
    changes = {change.field: (change.old, change.new) for change in latest.changes}
    assert changes == {"status": ("Not started", "Underway – on track"), "progress (%)": ("0", "30")}


def test_loading_a_memorandum_records_each_commitment_once(fourth_plenary):
    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    memoranda_services.memorandum_import(parsed=parsed, checksum=source_checksum(FIFTH), source_text=FIFTH)

    loaded = Commitment.objects.filter(session__number=5)
    assert loaded.count() == 2
    for commitment in loaded:
        assert commitment.supporting_organisations.exists()  # the case that used to be recorded twice
        assert [record.history_change_reason for record in commitment.history.all()] == ["Loaded from the memorandum"]
        shown = entries(commitment)
        assert [(entry.kind, entry.reason) for entry in shown] == [("created", "Loaded from the memorandum")]
        # The one record holds the owners, so a later change of them is a real difference.
        assert set(commitment.history.get().supporting_organisations.values_list("organisation_id", flat=True)) == set(
            commitment.supporting_organisations.values_list("pk", flat=True)
        )


def test_history_written_twice_before_the_fix_is_shown_as_one_entry(commitment, coordinator, tdc):
    """Databases written before changes were recorded once hold an echo record of the supporting
    organisations, with the same person and reason: it is shown within the one entry."""
    commitment._history_user = coordinator
    commitment._change_reason = "Owners and due date set"
    commitment.due_on = datetime.date(2026, 3, 31)
    commitment.save()
    commitment.supporting_organisations.add(tdc)

    latest, *_ = entries(commitment)
    assert latest.reason == "Owners and due date set"
    assert {change.field for change in latest.changes} == {"due on", "supporting organisations"}
    assert [entry.reason for entry in entries(commitment)].count("Owners and due date set") == 1


def test_reasons_are_stored_in_english_whatever_the_coordinators_language(commitment, coordinator):
    with translation.override("zh-hant"):
        assign(commitment, coordinator, supporting=[])
    assert commitment.history.first().history_change_reason == "Owners and due date set"


def test_entries_are_in_the_readers_language(commitment, coordinator, tdc):
    update = services.progress_update_create(
        commitment=commitment, author=UserFactory(), proposed_status=Status.ON_TRACK, proposed_progress=30,
        narrative="Two exchange visits were held.", submit=True, notify=False,
    )
    services.progress_update_accept(update=update, reviewer=coordinator, notify=False)
    assign(Commitment.objects.get(pk=commitment.pk), coordinator, supporting=[tdc], due_on=datetime.date(2025, 12, 31))

    with translation.override("zh-hant"):
        assigned, accepted = entries(commitment)[:2]
        assert accepted.reason == f"接納進度匯報 #{update.pk}"
        assert ("狀態", "未開始", "進行中（按計劃）") in [(c.field, c.old, c.new) for c in accepted.changes]
        assert assigned.reason == "已設定負責單位及限期"
        fields = {change.field: change for change in assigned.changes}
        assert "協辦單位" in fields and "到期日" in fields
        assert fields["到期日"].new == "2025年12月31日"
        assert fields["協辦單位"].added == ["香港貿易發展局"]


def test_commitment_page_shows_the_history_translated(client, commitment, coordinator, tdc):
    assign(commitment, coordinator, supporting=[*commitment.supporting_organisations.all(), tdc], due_on=datetime.date(2025, 12, 31))
    client.force_login(coordinator)
    client.cookies["django_language"] = "zh-hant"
    body = client.get("/commitments/HKBJ-4-6.5/").content.decode()
    history = body[body.index('id="change-history"'):]
    assert "已設定負責單位及限期" in history
    assert "Owners and due date set" not in history
    assert "協辦單位" in history and "香港貿易發展局" in history
    assert "2025年12月31日" in history

    client.cookies["django_language"] = "en"
    history = client.get("/commitments/HKBJ-4-6.5/").content.decode().split('id="change-history"')[1]
    assert "Supporting organisations:" in history
    assert "Hong Kong Trade Development Council" in history
    assert "Due on:" in history and "31 December 2025" in history


def test_the_fixtures_loading_reason_names_the_session_in_the_readers_language():
    from django.utils.translation import override

    from tracker.history import reason_label

    with override("zh-hant"):
        assert reason_label("Loaded from the 4th plenary fixture") == "從第四次會議的隨附資料載入"
    with override("en"):
        assert reason_label("Loaded from the 4th plenary fixture") == "Loaded from the bundled data of the 4th Plenary Session"


def test_a_spreadsheet_import_that_adds_a_supporting_organisation_records_one_entry(client, commitment, coordinator, tdc):
    import csv
    import io

    from memoranda.services import commitment_rows_import

    client.force_login(coordinator)
    exported = client.get(f"/commitments/?q={commitment.ref}&_export=csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 1
    column = next(name for name in rows[0] if name.lower().startswith("supporting"))
    rows[0][column] = "; ".join(filter(None, [rows[0][column], tdc.name]))
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    records_before = commitment.history.count()
    commitment_rows_import(data=edited.getvalue().encode("utf-8"), format="csv")
    commitment.refresh_from_db()
    assert tdc in commitment.supporting_organisations.all()
    assert commitment.history.count() == records_before + 1
    assert commitment.history.first().history_change_reason == "Imported from a spreadsheet"
