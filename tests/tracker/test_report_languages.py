"""The session report in the reader's language: page, PDF, XLSX and CSV show Chinese headings and
Chinese narratives where they were written, and mark every text shown in the other language."""
import csv
import io
import subprocess

import openpyxl
import pytest
from django.utils import timezone

from memoranda.models import Commitment, Organisation
from tests.factories import UserFactory, member_of
from tracker import services
from tracker.models import Role, Snapshot

pytestmark = pytest.mark.django_db
REPORT = "/reports/sessions/HKBJ/4/"
FINTECH_EN = "Two Fintech exchange sessions were held with Beijing enterprises."
FINTECH_ZH = "已與北京企業舉行兩次金融科技交流會。"  # written in Traditional characters
NEXT_EN = "Hold a third exchange session."
NEXT_ZH = "在第五次會議前舉行第三次交流會。"
WINTER_EN = "Hong Kong youth volunteers served at the Winter Games."  # written in English only
CITY_ZH = "已舉行環境智庫交流會。"  # written in Chinese only


def accept(ref: str, **texts) -> None:
    update = services.progress_update_create(
        commitment=Commitment.objects.get(ref=ref), author=UserFactory(), proposed_status="on_track", proposed_progress=40,
        submit=True, notify=False, **texts,
    )
    services.progress_update_accept(update=update, reviewer=UserFactory(), notify=False)


@pytest.fixture
def reader(client, fourth_plenary):
    accept("HKBJ-4-2.1", narrative=FINTECH_EN, narrative_zh=FINTECH_ZH, next_steps=NEXT_EN, next_steps_zh=NEXT_ZH)
    accept("HKBJ-4-7.1", narrative=WINTER_EN)
    accept("HKBJ-4-6.2", narrative_zh=CITY_ZH)
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    return client


def read_in(client, language: str, **params):
    client.cookies["django_language"] = language
    return client.get(REPORT, params)


def pdf_text(response, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(response.getvalue())
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


def test_chinese_report_page_shows_chinese_narratives_and_marks_english_fallbacks(reader):
    body = read_in(reader, "zh-hant").getvalue().decode()
    assert FINTECH_ZH in body and NEXT_ZH in body
    assert FINTECH_EN not in body and NEXT_EN not in body
    # the English-only narrative is shown, after a badge naming its language
    assert '<span class="fallback-marker"' in body and '英文</span> <span lang="en">' + WINTER_EN in body
    for heading in ("編號", "合作事項", "牽頭單位", "狀態", "已匯報進度", "下一步工作"):
        assert f">{heading}<" in body
    assert "服務業" in body and "Services Industries" not in body  # area names
    assert "京港合作會議第四次會議" in body  # the session's title


def test_english_report_marks_a_narrative_written_only_in_chinese(reader):
    body = read_in(reader, "en").getvalue().decode()
    assert FINTECH_EN in body and FINTECH_ZH not in body
    assert 'Chinese</span> <span lang="zh">' + CITY_ZH in body


def test_simplified_chinese_report_converts_traditional_text(reader):
    body = read_in(reader, "zh-hans").getvalue().decode()
    assert "已与北京企业举行两次金融科技交流会。" in body
    assert FINTECH_ZH not in body


def test_chinese_pdf_has_chinese_headings_narratives_and_marked_fallbacks(reader, tmp_path):
    text = pdf_text(read_in(reader, "zh-hant", _export="pdf"), tmp_path)
    for heading in ("編號", "合作事項", "牽頭單位", "狀態", "已匯報進度", "下一步工作"):
        assert heading in text
    assert FINTECH_ZH in text.replace(" ", "") and FINTECH_EN not in text
    assert f"英文 {WINTER_EN}" in text  # the badge, then the English text
    assert "京港合作會議第四次會議共識落實情況" in text and f"{timezone.localdate():%Y}年" in text


def test_chinese_xlsx_and_csv_have_chinese_headings_and_mark_english_text_in_the_cell(reader):
    sheet = openpyxl.load_workbook(io.BytesIO(read_in(reader, "zh-hant", _export="xlsx").getvalue())).active
    headings = [cell.value for cell in sheet[3]]
    assert headings[:5] == ["合作範疇", "編號", "合作事項", "牽頭單位", "狀態"] and "已匯報進度" in headings and "下一步工作" in headings
    rows = {row[1]: dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["HKBJ-4-2.1"]["已匯報進度"] == FINTECH_ZH and rows["HKBJ-4-2.1"]["下一步工作"] == NEXT_ZH
    assert rows["HKBJ-4-2.1"]["狀態"] == "進行中（按計劃）" and rows["HKBJ-4-2.1"]["合作範疇"] == "服務業"
    winter = rows["HKBJ-4-7.1"]["已匯報進度"]
    assert "英文" in winter[:6] and winter.endswith(WINTER_EN)
    response = read_in(reader, "zh-hant", _export="csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {row["編號"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["HKBJ-4-2.1"]["已匯報進度"] == FINTECH_ZH
    assert "英文" in rows["HKBJ-4-7.1"]["已匯報進度"][:6]


def test_a_snapshot_frozen_before_narratives_had_two_languages_still_reads(reader):
    session = Commitment.objects.get(ref="HKBJ-4-2.1").session
    old_rows = [
        {key: value for key, value in row.items() if key not in ("latest_update_zh", "next_steps", "next_steps_zh")}
        for row in services.snapshot_take(session=session, as_at=timezone.localdate(), by=UserFactory()).rows
    ]
    Snapshot.objects.update(rows=old_rows)
    snapshot = Snapshot.objects.get()
    for export in ("", "xlsx", "csv", "pdf"):
        assert read_in(reader, "zh-hant", snapshot=snapshot.pk, _export=export).status_code == 200
    body = read_in(reader, "zh-hant", snapshot=snapshot.pk).getvalue().decode()
    assert f'英文</span> <span lang="en">{FINTECH_EN}' in body  # only the English narrative was frozen
