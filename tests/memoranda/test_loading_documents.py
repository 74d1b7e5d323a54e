"""An administrator loads the seed press release into an empty database as pasted text, as a saved
web page, as a PDF and as a Word file, and gets the same 8 areas and 18 items each time; a second
load of any of them changes nothing, nor does the same release in another format once one is loaded."""
import base64
import datetime
import functools
import html
import io
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from weasyprint import HTML

from memoranda import parsing, services
from memoranda.models import AlignedSource, Area, Commitment, Mechanism, Memorandum, Party, PlenarySession
from memoranda.parsing import MemorandumParseError, parse_memorandum
from memoranda.sources import source_checksum

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
ZH_MEMORANDUM = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
HELD_ON = datetime.date(2018, 10, 24)  # a press release gives the day, never the year

# The seed's blank-line paragraphs, as a page, a PDF or a Word file would hold them.
PARAGRAPHS = [" ".join(paragraph.split()) for paragraph in SEED_TEXT.split("\n\n")]
TITLE, BODY = PARAGRAPHS[0], PARAGRAPHS[1:]
AREA_NAMES = [
    "The Belt and Road Initiative, Economic and Trade Co-operation", "Services Industries", "Innovation and Technology",
    "Cultural and Creative Industries", "Education and Training of Civil Servants", "City Management and Public Services",
    "Youth Development", "Facilitation Measures for Hong Kong People in the Mainland",
]
ITEMS_PER_AREA = [1, 3, 2, 2, 3, 5, 1, 1]
ENDS = "Ends/Wednesday, October 24, 2018"
ISSUED = "Issued at HKT 18:50"


def normalised(text: str) -> str:
    return " ".join(text.split())


# The files, built from the seed as administrators are sent them ---------------------------------


def government_page(heading_tag: str) -> bytes:
    """A saved page of a government site: banner, menu, breadcrumb, scripts, share and print links,
    a footer; the release in its content container, headings as <h3> (or as plain <p>), closing
    with "Ends/" and the time it was issued."""
    body = "\n".join(
        f"<{heading_tag}>{html.escape(paragraph)}</{heading_tag}>" if paragraph in AREA_NAMES else f"<p>{html.escape(paragraph)}</p>"
        for paragraph in BODY
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Press Releases - GovHK</title>
<script>var trackingCode = "UA-0000"; document.addEventListener("load", track);</script></head>
<body>
<a href="#content" class="skip-link">Skip to main content</a>
<header id="banner"><div class="logo">GovHK</div>
  <ul class="menu"><li><a href="/residents">Residents</a></li><li><a href="/business">Business and Trade</a></li></ul></header>
<nav id="topNav"><ul><li><a href="/">Home</a></li><li><a href="/gia">Press Releases Archive</a></li></ul></nav>
<div id="breadcrumb"><a href="/">Home</a> &gt; Press Releases &gt; 2018</div>
<div id="content">
  <h1>{html.escape(TITLE)}</h1>
  <div id="pressrelease">
{body}
    <p>{ENDS}<br>
    {ISSUED}</p>
  </div>
  <div class="shareBar"><a href="javascript:window.print()" class="print-link">Print this page</a></div>
</div>
<footer id="footer"><p>2018 | Important Notices | Privacy Policy</p></footer>
<script>document.write("Cookie consent");</script>
</body></html>""".encode("utf-8")


def indented_page(separator: str) -> bytes:
    """The Hong Kong government's plain style: no <p>, each paragraph a line indented with &nbsp;
    and ended by <br><br> (or one <br>); headings flush left."""
    indent = "&nbsp;" * 5
    lines = [paragraph if paragraph in AREA_NAMES else indent + html.escape(paragraph) for paragraph in BODY]
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"<title>{html.escape(TITLE)}</title></head><body>\n"
        f'<span id="PRHeadlineSpan">{html.escape(TITLE)}</span><br><br>\n'
        f'<span id="pressrelease">{separator.join(lines)}{separator}{ENDS}<br>\n{ISSUED}</span>\n'
        "</body></html>"
    ).encode("utf-8")


def printed_pdf() -> bytes:
    """The release printed to A4 by WeasyPrint: two pages or more, a "Page n of m" footer."""
    body = f"<h1>{html.escape(TITLE)}</h1>" + "".join(
        f"<h3>{html.escape(paragraph)}</h3>" if paragraph in AREA_NAMES else f"<p>{html.escape(paragraph)}</p>" for paragraph in BODY
    ) + f"<p>{ENDS}</p>"
    css = (
        "@page { size: A4; margin: 2cm; @bottom-center { content: 'Page ' counter(page) ' of ' counter(pages) } }"
        "body { font-size: 12pt } h1 { font-size: 14pt } h3 { font-size: 12pt } p { margin: 0 0 0.8em; text-align: justify }"
    )
    return HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>").write_pdf()


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def word_document() -> bytes:
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for paragraph in BODY:
        if paragraph in AREA_NAMES:
            document.add_heading(paragraph, level=2)
        else:
            document.add_paragraph(paragraph)
    return docx_bytes(document)


def scanned_pdf() -> bytes:
    """A scan: the page is a picture, with no text to select."""
    image = Image.new("RGB", (600, 800), "white")
    for y in range(100, 700, 20):
        for x in range(60, 540):
            image.putpixel((x, y), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    return HTML(string=f'<html><body><img src="data:image/png;base64,{data}" style="width: 16cm"></body></html>').write_pdf()


# name → (file name, builder, what the memorandum then says its source was)
FILES = {
    "web page, headings in h3": ("release.html", lambda: government_page("h3"), "English press release (saved web page)"),
    "web page, headings in p": ("release.htm", lambda: government_page("p"), "English press release (saved web page)"),
    "web page, indented, br br": ("release.html", lambda: indented_page("<br><br>\n"), "English press release (saved web page)"),
    "web page, indented, one br": ("release.shtml", lambda: indented_page("<br>\n"), "English press release (saved web page)"),
    "PDF": ("release.pdf", printed_pdf, "English press release (PDF)"),
    "Word document": ("release.docx", word_document, "English press release (Word document)"),
}


@functools.cache
def file_bytes(kind: str) -> bytes:
    return FILES[kind][1]()


def load(source: str | bytes, filename: str = "") -> services.ImportResult:
    """What the admin screen does: parse (format recognised), give the date, import with the file."""
    parsed = parse_memorandum(source, filename=filename)
    parsed.held_on = HELD_ON
    format = parsing.detect_format(filename, source)
    return services.memorandum_import(
        parsed=parsed, checksum=source_checksum(source), source_text=parsing.source_text(source, format),
        source_file=(filename, source) if isinstance(source, bytes) else None,
    )


def loaded() -> list[tuple[str, list[str]]]:
    """Each area's name and its items' English text, whitespace normalised, in order."""
    return [
        (area.name, [normalised(text) for text in area.commitments.order_by("item_position").values_list("text", flat=True)])
        for area in Area.objects.order_by("position")
    ]


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Mechanism, Party, PlenarySession, Memorandum, Area, Commitment))


def versions() -> dict[str, int]:
    return dict(Commitment.objects.values_list("ref", "version"))


@functools.cache
def expected_from_text() -> list[tuple[str, list[str]]]:
    """What the pasted text gives, as the parser reads it (the text load itself is checked below)."""
    parsed = parse_memorandum(SEED_TEXT)
    return [(area.name, [normalised(item.text) for item in area.items]) for area in parsed.areas]


# Pasted text -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pasted_seed_loads_eight_areas_and_eighteen_items_into_an_empty_database():
    assert counts() == (0, 0, 0, 0, 0, 0)
    result = load(SEED_TEXT)
    assert result.created and result.commitments == 18 and result.areas_created == 8
    assert loaded() == expected_from_text()
    assert [name for name, _ in loaded()] == AREA_NAMES
    assert [len(items) for _, items in loaded()] == ITEMS_PER_AREA
    refs = sorted(Commitment.objects.values_list("ref", flat=True))
    assert refs[0] == "HKBJ-4-1.1" and refs[-1] == "HKBJ-4-8.1"
    assert Memorandum.objects.get().source_description == "English press release"
    before, before_versions = counts(), versions()
    again = load(SEED_TEXT)
    assert not again.created and not again.aligned
    assert counts() == before and versions() == before_versions


# Each file into an empty database ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FILES)
def test_seed_file_loads_the_same_eight_areas_and_eighteen_items_as_the_pasted_text(kind):
    filename, _, description = FILES[kind]
    data = file_bytes(kind)
    result = load(data, filename)
    assert result.created and result.commitments == 18
    assert counts() == (1, 2, 1, 1, 8, 18)
    assert Mechanism.objects.get().code == "HKBJ"
    assert [len(items) for _, items in loaded()] == ITEMS_PER_AREA
    assert loaded() == expected_from_text()
    memorandum = Memorandum.objects.get()
    assert memorandum.source_description == description
    assert memorandum.checksum == source_checksum(data)
    assert memorandum.source_file.name.endswith(Path(filename).suffix) and memorandum.source_file.read() == data
    assert normalised(memorandum.source_text).startswith(TITLE)  # the text read from the file, kept to show
    assert not any(noise in memorandum.source_text for noise in ("Skip to", "Print this page", "Privacy Policy", "UA-0000", "Page 1"))
    session = PlenarySession.objects.get()
    assert (session.number, session.held_on, session.venue) == (4, HELD_ON, "Beijing")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FILES)
def test_second_load_of_the_same_file_changes_nothing(kind):
    filename, _, _ = FILES[kind]
    load(file_bytes(kind), filename)
    before, before_versions = counts(), versions()
    again = load(file_bytes(kind), filename)
    assert not again.created and not again.aligned and again.commitments == 0
    assert again.memorandum == Memorandum.objects.get()
    assert counts() == before and versions() == before_versions
    assert not AlignedSource.objects.exists()


def test_printed_pdf_runs_over_a_page_break():
    from pdfminer.high_level import extract_pages

    assert len(list(extract_pages(io.BytesIO(file_bytes("PDF"))))) >= 2


@pytest.mark.parametrize("kind", FILES)
def test_format_is_recognised_from_the_file_name_and_from_the_content(kind):
    filename, _, _ = FILES[kind]
    expected = {".html": "html", ".htm": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx"}[Path(filename).suffix]
    assert parsing.detect_format(filename, file_bytes(kind)) == expected
    assert parsing.detect_format("upload", file_bytes(kind)) == expected


# The same release in another format, once one is loaded ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FILES)
def test_same_seed_in_another_format_after_the_text_creates_nothing(kind):
    filename, _, _ = FILES[kind]
    load(SEED_TEXT)
    before, before_versions, texts = counts(), versions(), loaded()
    result = load(file_bytes(kind), filename)
    assert result.aligned and result.commitments == 0 and not result.created
    assert counts() == before and versions() == before_versions and loaded() == texts
    # recorded, so that a third load of the file is recognised as already loaded
    assert AlignedSource.objects.get().items_filled == 0
    third = load(file_bytes(kind), filename)
    assert not third.created and not third.aligned
    assert counts() == before and AlignedSource.objects.count() == 1


# The Chinese memorandum as a Word file ------------------------------------------------------------


def chinese_word_document() -> bytes:
    document = docx.Document()
    for line in ZH_MEMORANDUM.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    return docx_bytes(document)


@pytest.mark.django_db
def test_chinese_memorandum_as_word_document_fills_the_chinese_text_of_all_eighteen_items(fourth_plenary):
    data = chinese_word_document()
    parsed = parse_memorandum(data, filename="備忘錄.docx")
    assert parsed.source_description == "Chinese memorandum (Word document)"
    before, refs = counts(), sorted(fourth_plenary.commitments.values_list("ref", flat=True))
    assert fourth_plenary.commitments.filter(text_zh="").count() == 18
    result = services.memorandum_import(parsed=parsed, checksum=source_checksum(data), source_file=("備忘錄.docx", data))
    assert result.aligned and result.commitments == 18
    assert counts() == before
    assert sorted(fourth_plenary.commitments.values_list("ref", flat=True)) == refs
    assert not fourth_plenary.commitments.filter(text_zh="").exists()
    assert "香港鐵路有限公司" in Commitment.objects.get(ref="HKBJ-4-6.5").text_zh
    expected = [normalised(item.text_zh) for item in parse_memorandum(ZH_MEMORANDUM.read_text(encoding="utf-8")).items]
    filled = fourth_plenary.commitments.order_by("area_position", "item_position").values_list("text_zh", flat=True)
    assert [normalised(text) for text in filled] == expected
    assert AlignedSource.objects.get().source_description == "Chinese memorandum (Word document)"


# A scan is refused --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_scanned_pdf_is_refused_as_having_no_text_layer_and_nothing_is_written():
    with pytest.raises(MemorandumParseError) as raised:
        parse_memorandum(scanned_pdf(), filename="scan.pdf")
    (problem,) = raised.value.problems
    assert "no text layer" in problem.message and problem.field == "file"
    assert counts() == (0, 0, 0, 0, 0, 0)


# The command --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_loads_the_pdf_and_a_second_run_changes_nothing(tmp_path, capsys):
    path = tmp_path / "release.pdf"
    path.write_bytes(file_bytes("PDF"))
    call_command("load_memorandum", str(path), "--held-on", "2018-10-24")
    assert "Loaded HKBJ 4: 18 commitments, 8 new areas." in capsys.readouterr().out
    assert loaded() == expected_from_text()
    assert Memorandum.objects.get().source_description == "English press release (PDF)"
    before, before_versions = counts(), versions()
    call_command("load_memorandum", str(path), "--held-on", "2018-10-24")
    assert "Already loaded" in capsys.readouterr().out
    assert counts() == before and versions() == before_versions


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["web page, headings in h3", "Word document"])
def test_command_loads_the_page_and_the_word_document(kind, tmp_path, capsys):
    filename, _, description = FILES[kind]
    path = tmp_path / filename
    path.write_bytes(file_bytes(kind))
    call_command("load_memorandum", str(path), "--held-on", "2018-10-24")
    assert "18 commitments" in capsys.readouterr().out
    assert loaded() == expected_from_text() and Memorandum.objects.get().source_description == description


@pytest.mark.django_db
def test_command_aligns_the_pdf_onto_the_loaded_text_and_creates_nothing(tmp_path, capsys):
    load(SEED_TEXT)
    before, before_versions = counts(), versions()
    path = tmp_path / "release.pdf"
    path.write_bytes(file_bytes("PDF"))
    call_command("load_memorandum", str(path), "--held-on", "2018-10-24")
    assert "filled 0 commitments" in capsys.readouterr().out
    assert counts() == before and versions() == before_versions


@pytest.mark.django_db
def test_command_refuses_a_scanned_pdf_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_memorandum", str(path), "--held-on", "2018-10-24")
    assert "no text layer" in capsys.readouterr().err
    assert counts() == (0, 0, 0, 0, 0, 0)
