"""Saved web pages, PDFs and Word files turned into the plain text the text parser reads: one
paragraph per block, separated by blank lines; or refused with a message an administrator understands."""
import base64
import html
import io
import random
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from weasyprint import HTML

from memoranda.parsing.documents import DOCUMENT_FORMATS, detect_document_format, document_text
from memoranda.parsing.encoding import MAX_SOURCE_BYTES
from memoranda.parsing.model import MemorandumParseError

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
# The seed's own blank-line paragraphs, whitespace normalised. Two of them are one sentence cut in
# two ("continue to take" / "forward the staff …"), as in the source; the text parser re-joins them.
PARAGRAPHS = [" ".join(paragraph.split()) for paragraph in SEED_TEXT.split("\n\n")]
TITLE, BODY = PARAGRAPHS[0], PARAGRAPHS[1:]
HEADINGS = {
    "The Belt and Road Initiative, Economic and Trade Co-operation", "Services Industries", "Innovation and Technology",
    "Cultural and Creative Industries", "Education and Training of Civil Servants", "City Management and Public Services",
    "Youth Development", "Facilitation Measures for Hong Kong People in the Mainland",
}
ENDS = "Ends/Wednesday, October 24, 2018"
ISSUED = "Issued at HKT 18:50"

TRADITIONAL = [
    "京港合作會議第五次會議備忘錄",
    "2020年11月20日，京港合作會議第五次會議在北京舉行。雙方就以下合作領域達成共識：",
    "一、經貿合作",
    "（一）雙方將繼續加強經貿交流，共同開拓「一帶一路」沿線市場。",
    "（二）香港貿易發展局將組織代表團參加中國國際服務貿易交易會，嘅確係好重要。",
]
SIMPLIFIED = [
    "京港合作会议第六次会议备忘录",
    "二〇二二年九月十五日，京港合作会议第六次会议在北京举行。双方就以下合作领域达成共识：",
    "一、经贸合作",
    "1. 双方将继续加强经贸交流，共同开拓“一带一路”沿线市场。",
]


def paragraphs_of(text: str) -> list[str]:
    return [" ".join(paragraph.split()) for paragraph in text.split("\n\n")]


def refusal(data: bytes, format: str) -> str:
    with pytest.raises(MemorandumParseError) as raised:
        document_text(data, format)
    (problem,) = raised.value.problems
    assert problem.field == "file"
    return problem.message


# HTML --------------------------------------------------------------------------------------------

def government_page() -> bytes:
    """The seed as a government site serves it: banner, menu, skip link, share and print buttons,
    scripts, a footer; the release itself in a content container, closing with Ends/Issued at."""
    body = "\n".join(
        f"<h2>{html.escape(paragraph)}</h2>" if paragraph in HEADINGS else f"<p>{html.escape(paragraph)}</p>"
        for paragraph in BODY
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Press Releases - GovHK</title>
<script>var trackingCode = "UA-0000";</script><style>body {{ font-family: sans-serif }}</style></head>
<body>
<a href="#content" class="skip-link">Go to main content</a>
<header id="banner"><div class="logo">GovHK Brand Hong Kong</div>
  <ul class="menu"><li><a href="/residents">Residents</a></li><li><a href="/business">Business and Trade</a></li></ul></header>
<nav id="topNav"><ul><li><a href="/">Home</a></li><li><a href="/gia">Press Releases Archive</a></li></ul></nav>
<div id="breadcrumb"><a href="/">Home</a> &gt; Press Releases &gt; 2018</div>
<div id="contentWrapper" class="has-header">
  <div id="content">
    <h1 id="PRHeadline">{html.escape(TITLE)}</h1>
    <div id="pressrelease">
{body}
      <p>{ENDS}<br>
      {ISSUED}</p>
    </div>
    <div class="shareBar"><button type="button">Share on Facebook</button>
      <a href="javascript:window.print()" class="print-link">Print this page</a></div>
  </div>
  <aside><h3>Related Links</h3><ul><li>Mainland Affairs Overview</li></ul></aside>
</div>
<footer id="footer"><p>2018 | Important Notices | Privacy Policy | Last revision date</p></footer>
<script>document.write("Cookie consent banner");</script>
</body></html>""".encode("utf-8")


def test_government_page_gives_the_seed_paragraphs_and_nothing_around_them():
    text = document_text(government_page(), "html")
    assert paragraphs_of(text) == PARAGRAPHS + [f"{ENDS} {ISSUED}"]
    for noise in ("Go to main content", "GovHK", "Residents", "Home", "Archive", "Share on Facebook", "Print this page",
                  "Related Links", "Privacy Policy", "UA-0000", "Cookie consent", "font-family", "Press Releases"):
        assert noise not in text


def test_page_title_is_used_only_when_the_page_has_no_h1():
    page = f"<html><head><title>{TITLE}</title></head><body><main><p>{BODY[0]}</p></main></body></html>"
    assert paragraphs_of(document_text(page.encode(), "html")) == [TITLE, BODY[0]]


@pytest.mark.parametrize("title", [f"<h1>{TITLE}</h1>", f'<header class="page-header"><h1>{TITLE}</h1></header>'])
def test_title_outside_the_content_container_comes_first(title):
    page = f"<html><body>{title}<nav>Menu</nav><article><p>{BODY[0]}</p><p>{BODY[1]}</p></article></body></html>"
    assert paragraphs_of(document_text(page.encode(), "html")) == [TITLE, BODY[0], BODY[1]]


INDENT = "&nbsp;" * 5


def br_page(separator: str) -> bytes:
    """The Hong Kong government's plain style: no <p>, lines ended by <br>, body lines indented
    with &nbsp;, headings flush left."""
    lines = [TITLE] + [paragraph if paragraph in HEADINGS else INDENT + html.escape(paragraph) for paragraph in BODY]
    lines += [ENDS, ISSUED]
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>\n'
        f'<div id="pressrelease">{separator.join(lines)}</div></body></html>'
    ).encode("utf-8")


def expected_lines() -> list[str]:
    return [TITLE] + [paragraph if paragraph in HEADINGS else " " * 5 + paragraph for paragraph in BODY] + [ENDS, ISSUED]


def test_br_separated_page_keeps_its_lines_and_their_indentation():
    text = document_text(br_page("<br>\n"), "html")
    assert text.split("\n") == expected_lines()


def test_double_br_separates_paragraphs_and_keeps_indentation():
    text = document_text(br_page("<br><br>\n"), "html")
    assert text.split("\n\n") == expected_lines()


def test_full_width_space_indentation_counts_as_two_spaces():
    page = "<html><body><div>一、經貿合作<br>\u3000\u3000雙方將繼續加強經貿交流。</div></body></html>"
    assert document_text(page.encode(), "html") == "一、經貿合作\n    雙方將繼續加強經貿交流。"


@pytest.mark.parametrize(
    ("lines", "encoding", "declaration"),
    [
        (SIMPLIFIED, "gb18030", '<meta charset="gb2312">'),
        (TRADITIONAL, "gb18030", '<meta charset="GBK">'),
        (TRADITIONAL, "big5hkscs", '<meta http-equiv="Content-Type" content="text/html; charset=big5">'),
    ],
)
def test_chinese_page_is_decoded_with_the_charset_it_declares(lines, encoding, declaration):
    # Each paragraph is hard-wrapped in the source between two characters: no space appears there.
    body = "".join(f"<p>{line[:-3]}\n      {line[-3:]}</p>\n" for line in lines[1:])
    page = f"<html><head>{declaration}<title>備忘錄</title></head><body><h1>{lines[0]}</h1>{body}</body></html>"
    assert document_text(page.encode(encoding), "html").split("\n\n") == lines


def test_undeclared_big5_page_is_recognised_as_plain_text_is():
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in TRADITIONAL) + "</body></html>"
    assert document_text(page.encode("big5hkscs"), "html").split("\n\n") == TRADITIONAL


def test_page_with_no_text_is_refused():
    assert "no text" in refusal(b"<html><body><nav>Home</nav><script>x()</script></body></html>", "html")


# PDF ---------------------------------------------------------------------------------------------

def seed_pdf(font_size: int, align: str = "justify") -> bytes:
    """The seed printed by WeasyPrint on A4, with a running header and a "Page n of m" footer."""
    body = f"<h1>{html.escape(TITLE)}</h1>" + "".join(
        f"<h2>{html.escape(paragraph)}</h2>" if paragraph in HEADINGS else f"<p>{html.escape(paragraph)}</p>" for paragraph in BODY
    )
    css = (
        "@page { size: A4; margin: 2cm; @top-center { content: 'Press Release, Information Services Department' }"
        " @bottom-center { content: 'Page ' counter(page) ' of ' counter(pages) } }"
        f"body {{ font-size: {font_size}pt }} h2 {{ font-size: 1em }} p {{ margin: 0 0 0.8em; text-align: {align} }}"
    )
    return HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>").write_pdf()


@pytest.mark.parametrize(("font_size", "align"), [(12, "justify"), (15, "justify"), (17, "left")])
def test_pdf_gives_the_seed_paragraphs_without_running_header_or_page_numbers(font_size, align):
    text = document_text(seed_pdf(font_size, align), "pdf")
    assert paragraphs_of(text) == PARAGRAPHS
    assert "Page" not in text and "Information Services" not in text


def test_pdf_fixture_really_cuts_paragraphs_at_page_breaks():
    """The 15pt rendering is there to test re-joining: some page of it ends inside a paragraph."""
    from pdfminer.high_level import extract_text

    pages = extract_text(io.BytesIO(seed_pdf(15))).split("\f")
    last_lines = [[line for line in page.split("\n") if line.strip() and "Page" not in line][-1] for page in pages[:-2]]
    assert any(not any(paragraph.endswith(" ".join(line.split())) for paragraph in PARAGRAPHS) for line in last_lines)


def test_pdf_hard_wraps_are_joined_and_a_hyphen_at_a_line_end_is_kept():
    page = "<html><body style='width: 9em'><p>The Hong Kong/Beijing Co-operation Conference met.</p></body></html>"
    assert document_text(HTML(string=page).write_pdf(), "pdf") == "The Hong Kong/Beijing Co-operation Conference met."


def test_chinese_pdf_lines_are_joined_without_spaces():
    page = "<html><body style='width: 12em; text-align: justify'>" + "".join(f"<p>{line}</p>" for line in TRADITIONAL) + "</body></html>"
    assert document_text(HTML(string=page).write_pdf(), "pdf").split("\n\n") == TRADITIONAL


def png() -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    for x in range(50, 350):
        image.putpixel((x, 150), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "page",
    [
        f'<html><body><img src="data:image/png;base64,{base64.b64encode(png()).decode()}" style="width: 15cm"></body></html>',
        '<html><body><div style="border: 2px solid black; height: 10cm"></div></body></html>',
    ],
    ids=["scanned image", "drawn box"],
)
def test_pdf_without_a_text_layer_is_refused_as_a_probable_scan(page):
    message = refusal(HTML(string=page).write_pdf(), "pdf")
    assert "no text layer" in message and "scan" in message and "Paste the text" in message


@pytest.mark.parametrize("data", [b"%PDF-1.4 garbage", b"%PDF-1.4\n%%EOF", seed_pdf(12)[:3000]], ids=["garbage", "empty", "truncated"])
def test_damaged_pdf_is_refused_clearly(data):
    assert "PDF could not be read" in refusal(data, "pdf")


# DOCX --------------------------------------------------------------------------------------------

def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "RESTRICTED"
    document.sections[0].footer.paragraphs[0].text = "Page 1"
    document.add_heading(TITLE, level=1)
    for paragraph in BODY:
        if paragraph in HEADINGS:
            document.add_heading(paragraph, level=2)
        else:
            document.add_paragraph(paragraph)
        document.add_paragraph("")  # the empty paragraphs people type for spacing
    return docx_bytes(document)


def test_docx_gives_the_seed_paragraphs_without_header_and_footer():
    text = document_text(seed_docx(), "docx")
    assert paragraphs_of(text) == PARAGRAPHS
    assert "RESTRICTED" not in text and "Page 1" not in text


def test_docx_table_cells_are_read_in_order_and_a_soft_return_is_a_wrap():
    document = docx.Document()
    document.add_paragraph("City Management and Public Services")
    run = document.add_paragraph().add_run("On flood prevention experiences,")
    run.add_break()  # Word's Shift+Enter
    run.add_text("the two places would continue to take forward the staff exchange.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Lead", "Drainage Services Department"
    table.cell(1, 0).text, table.cell(1, 1).text = "Due", "2019"
    table.cell(1, 1).add_paragraph("Second paragraph of a cell")
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Merged cell read once"
    document.add_paragraph("After the table.")
    assert document_text(docx_bytes(document), "docx").split("\n\n") == [
        "City Management and Public Services",
        "On flood prevention experiences, the two places would continue to take forward the staff exchange.",
        "Lead", "Drainage Services Department", "Due", "2019", "Second paragraph of a cell",
        "Merged cell read once",
        "After the table.",
    ]


def test_traditional_chinese_docx_is_intact_and_soft_returns_join_without_spaces():
    document = docx.Document()
    for line in TRADITIONAL:
        document.add_paragraph(line)
    run = document.add_paragraph().add_run("雙方將繼續")
    run.add_break()
    run.add_text("加強經貿交流。")
    run.add_break()
    run.add_text("（三）雙方支持青年交流。")  # a numbered item after a soft return keeps its own line
    assert document_text(docx_bytes(document), "docx").split("\n\n") == TRADITIONAL + ["雙方將繼續加強經貿交流。\n（三）雙方支持青年交流。"]


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "ref"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_excel_workbook_given_as_docx_is_refused():
    assert refusal(xlsx_bytes(), "docx") == "This file is an Excel workbook, not a Word document (.docx)."


@pytest.mark.parametrize("data", [bytes(random.Random(4).randrange(256) for _ in range(2000)), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500])
def test_file_that_is_not_a_word_document_is_refused(data):
    assert "Word document" in refusal(data, "docx")


# Every format ------------------------------------------------------------------------------------

@pytest.mark.parametrize("format", DOCUMENT_FORMATS)
def test_empty_and_oversized_files_are_refused(format):
    assert refusal(b"  \n", format) == "The file is empty."
    assert "too large" in refusal(b"x" * (MAX_SOURCE_BYTES + 1), format)


def test_unknown_format_is_refused():
    assert "Unknown document format" in refusal(b"text", "rtf")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("Release.HTM", "html"), ("release.html", "html"), ("page.xhtml", "html"), ("memo.PDF", "pdf"), ("memo.docx", "docx"),
     ("memo.txt", None), ("memo.doc", None)],
)
def test_format_is_detected_from_the_extension(filename, expected):
    assert detect_document_format(filename, b"") == expected


def test_format_is_detected_from_the_content():
    assert detect_document_format("upload", seed_pdf(12)) == "pdf"
    assert detect_document_format("upload", seed_docx()) == "docx"
    assert detect_document_format("upload", government_page()) == "html"
    assert detect_document_format("upload", b"\xef\xbb\xbf\n<!doctype html><html></html>") == "html"
    assert detect_document_format("upload", b"<html lang='zh-HK'><body></body></html>") == "html"
    assert detect_document_format("upload", xlsx_bytes()) is None  # a ZIP, but not a Word document
    assert detect_document_format("upload", SEED_TEXT.encode()) is None
    assert detect_document_format("upload", b"PK\x03\x04 not really a zip") is None


PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<!DOCTYPE html><html><body>", b"<meta charset='big5'><p>"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=2000), format=st.sampled_from(DOCUMENT_FORMATS))
def test_any_bytes_give_text_or_a_refusal_never_another_error(prefix, data, format):
    try:
        assert isinstance(document_text(prefix + data, format), str)
    except MemorandumParseError as error:
        assert error.problems and all(problem.field == "file" for problem in error.problems)


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000), flip=st.integers(min_value=0, max_value=255))
def test_damaged_real_documents_give_text_or_a_refusal_never_another_error(cut, flip):
    for format, data in (("pdf", SEED_PDF), ("docx", SEED_DOCX)):
        damaged = bytearray(data)
        damaged[cut % len(damaged)] ^= flip
        try:
            document_text(bytes(damaged), format)
        except MemorandumParseError:
            pass


SEED_PDF, SEED_DOCX = seed_pdf(12), seed_docx()
