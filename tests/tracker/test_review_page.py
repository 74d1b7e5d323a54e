"""The update page as a coordinator's review page: the earlier return comments, what changed since
the update was returned (a word diff), the state said in the right words, corrections of wording
saved on acceptance as the coordinator's, and the next update of the queue once one is done."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from memoranda.models import Commitment, Organisation, Status
from tests.factories import member_of
from tracker import review, services
from tracker.models import ProgressUpdate, Role, UpdateState

pytestmark = pytest.mark.django_db

FIRST = "Met the Beijing Subway operators on maintenance practice."
FIXED = "Met the Beijing Subway operators twice, on 3 and 17 May, on maintenance practice."


@pytest.fixture
def mtr(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="MTR")


@pytest.fixture
def official(mtr):
    return member_of(mtr, Role.OFFICIAL, user__username="olivia", user__first_name="Olivia", user__last_name="Chan")


@pytest.fixture
def coordinator(fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    return member_of(cmab, Role.COORDINATOR, user__username="connie", user__first_name="Connie", user__last_name="Wong")


@pytest.fixture
def commitment(fourth_plenary) -> Commitment:
    return Commitment.objects.get(ref="HKBJ-4-6.5")


def submit(official, mtr, commitment, narrative=FIRST, **fields) -> ProgressUpdate:
    return services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, proposed_status=Status.ON_TRACK, proposed_progress=30,
        narrative=narrative, next_steps="Agree a training programme.", submit=True, notify=False, **fields,
    )


@pytest.fixture
def resubmitted(official, coordinator, mtr, commitment) -> ProgressUpdate:
    """Submitted, returned with a comment, then fixed (new narrative, progress, a Chinese version, a
    link) and submitted again."""
    update = submit(official, mtr, commitment)
    update = services.progress_update_return(update=update, reviewer=coordinator, comment="Please give the meeting dates.", notify=False)
    return services.progress_update_edit(
        update=update, by=official, proposed_status=Status.ON_TRACK, proposed_progress=40, narrative=FIXED,
        narrative_zh="與北京地鐵營運商會面兩次。", next_steps="Agree a training programme.", update_version=update.version,
        submit=True, evidence_links=["https://www.mtr.com.hk/en/corporate/press/latest_news.html"],
    )


def page(client, user, update):
    client.force_login(user)
    response = client.get(f"/updates/{update.pk}/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_resubmitted_update_shows_the_earlier_return_comment_and_what_changed(client, coordinator, resubmitted):
    response, body = page(client, coordinator, resubmitted)
    since = response.context["since_return"]
    assert since.comment == "Please give the meeting dates."
    assert since.returned_by == "Connie Wong"
    assert {change.name: (change.old, change.new) for change in since.changes if change.diff is None} == {"proposed_progress": ("30%", "40%")}
    assert [change.name for change in since.changes] == ["proposed_progress", "narrative", "narrative_zh"]
    assert [evidence.url for evidence in since.evidence_added] == ["https://www.mtr.com.hk/en/corporate/press/latest_news.html"]
    section = body[body.index('id="since-return"'):body.index('id="proposed"')]
    assert "Please give the meeting dates." in section
    assert "<del>30%</del> → <ins>40%</ins>" in section
    assert "<ins>twice, on 3 and 17 May, </ins>" in section
    assert "<ins>與北京地鐵營運商會面兩次。</ins>" in section
    # The review history lists each step, the return with its reviewer and comment.
    kinds = [(event.kind, event.who) for event in response.context["review_events"]]
    assert kinds == [("submitted", "Olivia Chan"), ("returned", "Connie Wong"), ("resubmitted", "Olivia Chan")]
    history = body[body.index('id="review-history"'):]
    assert "Returned by Connie Wong" in history and "Please give the meeting dates." in history


def test_an_update_never_returned_shows_no_comparison(client, coordinator, official, mtr, commitment):
    update = submit(official, mtr, commitment)
    response, body = page(client, coordinator, update)
    assert response.context["since_return"] is None
    assert 'id="since-return"' not in body


def test_word_diff_escapes_text_and_marks_words():
    diff = review.word_diff("Held <b>one</b> meeting.", "Held two <script>alert(1)</script> meetings.")
    assert "<script" not in diff and "<b>" not in diff
    assert diff.startswith("Held <del>&lt;b&gt;one</del><ins>two &lt;script&gt;alert(1)</ins>")
    assert review.word_diff("The quick brown fox.", "The slow red fox.") == "The <del>quick brown</del><ins>slow red</ins> fox."
    assert review.word_diff("Two visits.\nOne more.", "Three visits.\nOne more.") == "<del>Two</del><ins>Three</ins> visits.<br>One more."
    chinese = review.word_diff("舉辦了一次會議", "舉辦了兩次會議")
    assert chinese == "舉辦了<del>一</del><ins>兩</ins>次會議"


@pytest.mark.parametrize(
    ("state", "wording", "never"),
    [
        ("submitted", "Submitted on", ["Reviewed", "Returned by", "Accepted by"]),
        ("returned", "Returned by Connie Wong on", ["Reviewed", "Accepted by"]),
        ("accepted", "Accepted by Connie Wong on", ["Reviewed", "Returned by"]),
    ],
)
def test_state_is_said_in_its_own_words(client, coordinator, official, mtr, commitment, resubmitted, state, wording, never):
    update = resubmitted  # returned once already: its reviewer and review date are set while it is submitted
    if state == "returned":
        update = services.progress_update_return(update=update, reviewer=coordinator, comment="Still no dates.", notify=False)
    elif state == "accepted":
        update = services.progress_update_accept(update=update, reviewer=coordinator, notify=False)
    _, body = page(client, official, update)
    header = body[body.index('class="state-line"'):body.index("</div>", body.index('class="state-line"'))]
    assert wording in header
    about = body[body.index('id="about"'):body.index('id="narrative"')]
    for words in never:
        assert words not in header
    assert "Reviewed" not in about


def test_coordinator_corrects_wording_when_accepting_and_it_is_recorded_as_theirs(client, coordinator, official, resubmitted):
    client.force_login(coordinator)
    form = client.get(f"/updates/{resubmitted.pk}/").context["review_form"]
    assert form["narrative"].value() == FIXED and form["narrative_zh"].value() == "與北京地鐵營運商會面兩次。"
    corrected = FIXED.replace("Subway", "Metro")
    response = client.post(f"/updates/{resubmitted.pk}/review/", {
        "decision": "accept", "comment": "Thank you.", "version": resubmitted.version,
        "narrative": corrected, "narrative_zh": "與北京地鐵營運商會面兩次。", "next_steps": "Agree a training programme.\r\n",
        "next_steps_zh": "商定培训计划。",
    })
    assert response.status_code == 302 and response["Location"] == f"/updates/{resubmitted.pk}/"
    resubmitted.refresh_from_db()
    assert (resubmitted.state, resubmitted.narrative, resubmitted.next_steps_zh) == (UpdateState.ACCEPTED, corrected, "商定培训计划。")
    assert resubmitted.next_steps == "Agree a training programme."  # unchanged but for the browser's line ending
    record = resubmitted.history.order_by("-history_date", "-history_id").first()
    assert (record.state, record.narrative, record.history_user) == (UpdateState.ACCEPTED, corrected, coordinator)
    assert Commitment.objects.get(pk=resubmitted.commitment_id).progress == 40

    # Everyone who reads the update sees that the coordinator corrected the wording.
    response, body = page(client, official, resubmitted)
    corrected_by = response.context["wording_corrected"]
    assert corrected_by.who == "Connie Wong"
    assert [change.name for change in corrected_by.corrections] == ["narrative", "next_steps_zh"]
    assert "Wording corrected by Connie Wong" in body
    assert "<del>Subway</del><ins>Metro</ins>" in body


def test_accepting_without_changes_records_no_correction(client, coordinator, resubmitted):
    client.force_login(coordinator)
    form = client.get(f"/updates/{resubmitted.pk}/").context["review_form"]
    data = {name: form[name].value() for name in ("narrative", "narrative_zh", "next_steps", "next_steps_zh")}
    client.post(f"/updates/{resubmitted.pk}/review/", {"decision": "accept", "version": resubmitted.version, **data})
    resubmitted.refresh_from_db()
    assert resubmitted.state == UpdateState.ACCEPTED
    response, body = page(client, coordinator, resubmitted)
    assert response.context["wording_corrected"] is None
    assert "Wording corrected" not in body


def test_accept_service_takes_corrections_and_refuses_an_empty_narrative(coordinator, official, mtr, commitment):
    update = submit(official, mtr, commitment)
    with pytest.raises(ValidationError) as refused:
        services.progress_update_accept(update=update, reviewer=coordinator, narrative="  ", narrative_zh="", notify=False)
    assert "narrative" in refused.value.message_dict
    update.refresh_from_db()
    assert (update.state, update.narrative) == (UpdateState.SUBMITTED, FIRST)
    accepted = services.progress_update_accept(update=update, reviewer=coordinator, narrative_zh="會面。", notify=False)
    assert (accepted.narrative, accepted.narrative_zh, accepted.history.first().history_user) == (FIRST, "會面。", coordinator)


def test_stale_accept_is_refused_and_keeps_the_coordinators_corrections(client, coordinator, official, mtr, commitment):
    update = submit(official, mtr, commitment)
    client.force_login(coordinator)
    opened_at = client.get(f"/updates/{update.pk}/").context["review_form"]["version"].value()
    # Meanwhile the official withdraws it, rewrites it and submits it again.
    services.progress_update_withdraw(update=update, by=official, update_version=update.version)
    update.refresh_from_db()
    services.progress_update_edit(
        update=update, by=official, proposed_status=Status.AT_RISK, proposed_progress=10, narrative="Postponed.",
        update_version=update.version, submit=True,
    )
    response = client.post(f"/updates/{update.pk}/review/", {
        "decision": "accept", "version": opened_at, "narrative": "My corrected wording.", "narrative_zh": "",
        "next_steps": "", "next_steps_zh": "",
    })
    assert response.status_code == 409
    update.refresh_from_db()
    assert (update.state, update.narrative) == (UpdateState.SUBMITTED, "Postponed.")
    body = response.content.decode()
    assert "changed by someone else" in body
    assert "My corrected wording." in body
    assert response.context["review_form"].data["version"] == update.version


def test_after_a_review_the_page_stays_on_the_update_and_offers_the_next_in_queue(client, coordinator, official, mtr, commitment, fourth_plenary):
    first = submit(official, mtr, commitment)
    cmab_official = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL)
    other = services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-2.1"), author=cmab_official, organisation=Organisation.objects.get(abbreviation="CMAB"),
        proposed_status=Status.ON_TRACK, proposed_progress=20, narrative="Exchange sessions held.", submit=True, notify=False,
    )
    client.force_login(coordinator)
    response = client.post(f"/updates/{first.pk}/review/", {"decision": "return", "comment": "Dates, please.", "version": first.version}, follow=True)
    assert response.redirect_chain == [(f"/updates/{first.pk}/", 302)]
    body = response.content.decode()
    assert "Returned to Olivia Chan with your comment." in body
    assert response.context["update"].pk == first.pk
    assert response.context["next_in_queue"].pk == other.pk
    assert "Next in queue: HKBJ-4-2.1" in body
    assert f'href="/updates/{other.pk}/"' in body

    response = client.post(f"/updates/{other.pk}/review/", {"decision": "accept", "version": other.version}, follow=True)
    body = response.content.decode()
    assert "Accepted: HKBJ-4-2.1 now shows this update." in body
    assert response.context["next_in_queue"] is None
    assert "Nothing else awaits your review." in body


def test_bilingual_narrative_in_the_readers_language_with_the_other_below(client, settings, official, mtr, commitment):
    update = submit(official, mtr, commitment, narrative_zh="與北京地鐵營運商會面。")
    client.force_login(official)
    body = client.get(f"/updates/{update.pk}/").content.decode()
    narrative = body[body.index('id="narrative"'):]
    assert narrative.index(FIRST) < narrative.index("Chinese version") < narrative.index("與北京地鐵營運商會面。")
    assert 'class="fallback-marker"' not in narrative

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(f"/updates/{update.pk}/").content.decode()
    narrative = body[body.index('id="narrative"'):]
    assert narrative.index("与北京地铁营运商会面。") < narrative.index(FIRST)  # in Simplified script; the English below
    assert 'class="fallback-marker"' not in narrative.split("</p>")[0]  # the narrative; the next steps exist in English only

    # Written in English only: a Chinese reader sees it marked as the other language, and nothing below.
    english_only = services.progress_update_edit(
        update=services.progress_update_withdraw(update=update, by=official, update_version=update.version), by=official,
        proposed_status=Status.ON_TRACK, proposed_progress=30, narrative=FIRST, narrative_zh="", next_steps="Agree a training programme.",
    )
    body = client.get(f"/updates/{english_only.pk}/").content.decode()
    narrative = body[body.index('id="narrative"'):]
    assert FIRST in narrative and 'class="fallback-marker"' in narrative
    assert 'class="other-language"' not in narrative


def test_review_queue_marks_resubmissions(client, coordinator, resubmitted, official, mtr, fourth_plenary):
    client.force_login(coordinator)
    response = client.get("/reviews/")
    assert [update.was_returned for update in response.context["updates"]] == [True]


def test_evidence_file_added_after_a_return_is_listed_as_added(client, coordinator, official, mtr, commitment):
    update = submit(official, mtr, commitment, evidence_files=[SimpleUploadedFile("first.pdf", b"%PDF-1.4 a")])
    update = services.progress_update_return(update=update, reviewer=coordinator, comment="Add the minutes.", notify=False)
    update = services.progress_update_edit(
        update=update, by=official, proposed_status=Status.ON_TRACK, proposed_progress=30, narrative=FIRST,
        next_steps="Agree a training programme.", update_version=update.version, submit=True,
        evidence_files=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 b")],
    )
    response, body = page(client, coordinator, update)
    since = response.context["since_return"]
    assert since.changes == []
    assert [str(evidence) for evidence in since.evidence_added] == ["minutes.pdf"]


def test_reviewer_of_an_update_withdrawn_meanwhile_is_told_not_answered_404(client, coordinator, official, mtr, commitment):
    update = submit(official, mtr, commitment)
    client.force_login(coordinator)
    opened_at = client.get(f"/updates/{update.pk}/").context["review_form"]["version"].value()
    services.progress_update_withdraw(update=update, by=official, update_version=update.version)
    response = client.post(f"/updates/{update.pk}/review/", {"decision": "accept", "version": opened_at}, follow=True)
    assert response.redirect_chain == [("/reviews/", 302)]
    assert "Its author withdrew this update before it was reviewed" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.DRAFT
    assert client.get(f"/updates/{update.pk}/").status_code == 302
    # Someone who could never have reviewed it still finds nothing there.
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    assert client.get(f"/updates/{update.pk}/").status_code == 404
