"""Commitment exports for people: headings and values in the reader's language (CSV, XLSX), machine
names in JSON; and every one of them loads back through the rows import unchanged."""
import csv
import io
import json

import openpyxl
import pytest
from django.utils.text import capfirst
from django.utils.translation import override

from memoranda.choices import Status
from memoranda.models import Commitment, Organisation
from memoranda.parsing.rows import COLUMNS, HEADINGS, column_for_heading
from memoranda.resources import CommitmentResource
from memoranda.services import commitment_rows_import
from tests.factories import member_of
from tracker.exports import LIST_COLUMNS
from tracker.models import Role

LANGUAGES = ["en", "zh-hant", "zh-hans"]


@pytest.fixture
def viewer(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    return client


def export(client, language: str, kind: str, **params) -> bytes:
    client.cookies["django_language"] = language
    response = client.get("/commitments/", {"_export": kind, **params})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.getvalue()


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_and_xlsx_headings_are_in_the_readers_language(viewer, language):
    with override(language):
        expected = [capfirst(str(HEADINGS[column])) for column in LIST_COLUMNS]
    assert list(csv_rows(export(viewer, language, "csv"))[0]) == expected
    sheet = openpyxl.load_workbook(io.BytesIO(export(viewer, language, "xlsx"))).active
    assert [cell.value for cell in sheet[1]] == expected
    assert not set(expected) & {"area_position", "title_zh", "not_pursued_reason", "due_on"}


@pytest.mark.django_db
def test_chinese_export_has_chinese_headings_and_values(viewer):
    rows = {row["編號"]: row for row in csv_rows(export(viewer, "zh-hant", "csv"))}
    mtr = rows["HKBJ-4-6.5"]
    assert mtr["狀態"] == "未開始" and mtr["合作範疇"] == "城市管理及公共服務" and mtr["牽頭單位"] == "香港鐵路有限公司"
    assert mtr["合作機制"] == "京港合作會議"
    assert mtr["負責合作方"] == "北京; 香港" and rows["HKBJ-4-8.1"]["負責合作方"] == "北京"  # short names, not codes
    assert rows["HKBJ-4-5.3"]["已逾期"] == "已逾期" and rows["HKBJ-4-6.5"]["已逾期"] == ""


@pytest.mark.django_db
def test_english_export_names_statuses_and_parties_for_people(viewer):
    rows = {row["Ref."]: row for row in csv_rows(export(viewer, "en", "csv"))}
    assert rows["HKBJ-4-6.5"]["Status"] == "Not started"
    assert rows["HKBJ-4-6.5"]["Parties undertaking it"] == "Beijing; Hong Kong"


@pytest.mark.django_db
def test_json_keeps_machine_names_and_values_whatever_the_language(viewer):
    data = json.loads(export(viewer, "zh-hant", "json"))
    row = next(row for row in data if row["ref"] == "HKBJ-4-6.5")
    assert {"area_position", "title_zh", "not_pursued_reason", "due_on"} <= set(row)
    assert row["status"] == "not_started" and row["session"] == "HKBJ-4"
    assert set(row["parties"].split(";")) <= {"beijing", "hksar"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_export_from_any_language_reimports_with_nothing_changed(viewer, language, kind):
    # Chinese texts in Traditional characters: a Simplified Chinese export shows them converted.
    Commitment.objects.filter(ref="HKBJ-4-6.5").update(text_zh="雙方鼓勵香港鐵路有限公司與北京相關企業加強合作。")
    result = commitment_rows_import(data=export(viewer, language, kind), format=kind, dry_run=True)
    assert len(result.unchanged) == 18 and not result.updated and not result.new


@pytest.mark.django_db
def test_simplified_export_keeps_the_traditional_text_as_agreed_when_edited_elsewhere(viewer):
    Commitment.objects.filter(ref="HKBJ-4-6.5").update(text_zh="雙方鼓勵香港鐵路有限公司與北京相關企業加強合作。")
    rows = csv_rows(export(viewer, "zh-hans", "csv"))
    for row in rows:
        if row["编号"] == "HKBJ-4-6.5":
            assert row["协议文本（中文）"] == "双方鼓励香港铁路有限公司与北京相关企业加强合作。"
            row["进度（%）"] = "30"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    result = commitment_rows_import(data=out.getvalue().encode(), format="csv")
    assert result.updated == ["HKBJ-4-6.5"] and len(result.unchanged) == 17
    mtr = Commitment.objects.get(ref="HKBJ-4-6.5")
    assert mtr.progress == 30 and mtr.text_zh == "雙方鼓勵香港鐵路有限公司與北京相關企業加強合作。"


@pytest.mark.django_db
def test_machine_name_headings_still_import(fourth_plenary):
    data = CommitmentResource().export(Commitment.objects.order_by("ref")).export("csv").encode()
    assert data.decode().startswith(",".join(COLUMNS))
    result = commitment_rows_import(data=data, format="csv", dry_run=True)
    assert len(result.unchanged) == 18


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_status_written_in_any_language_imports(viewer, language):
    with override(language):
        label = str(Status.AT_RISK.label)
    rows = csv_rows(export(viewer, "zh-hant", "csv"))  # Chinese headings, a status in any language
    for row in rows:
        if row["編號"] == "HKBJ-4-6.5":
            row["狀態"] = label
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    result = commitment_rows_import(data=out.getvalue().encode(), format="csv")
    assert result.updated == ["HKBJ-4-6.5"]
    assert Commitment.objects.get(ref="HKBJ-4-6.5").status == Status.AT_RISK


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_heading_names_its_column_in_every_language(language):
    with override(language):
        headings = {column: capfirst(str(label)) for column, label in HEADINGS.items()}
    assert len(set(headings.values())) == len(headings)  # no two columns share a heading
    for column, heading in headings.items():
        assert column_for_heading(heading) == column
        assert column_for_heading(f" {heading.upper()} ") == column
        assert column_for_heading(column) == column
    assert column_for_heading("colour") == "colour"  # names no column: reported as unknown


def test_full_width_and_half_width_headings_are_the_same():
    assert column_for_heading("進度(%)") == column_for_heading("進度（%）") == "progress"
