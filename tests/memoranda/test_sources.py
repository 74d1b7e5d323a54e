from memoranda.sources import normalise_source_text, source_checksum


def test_line_ends_and_trailing_spaces_do_not_change_the_checksum():
    assert source_checksum("Title\r\n\r\nItem one.  \r\n") == source_checksum("Title\n\nItem one.")


def test_different_text_has_a_different_checksum():
    assert source_checksum("Item one.") != source_checksum("Item two.")


def test_bytes_are_hashed_as_they_are():
    assert source_checksum(b"abc") != source_checksum(b"abc\n")


def test_normal_form_strips_blank_lines_at_the_ends():
    assert normalise_source_text("\n\nA\n\nB\n\n") == "A\n\nB"
