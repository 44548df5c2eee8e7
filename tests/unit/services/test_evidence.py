"""Evidence uploads: type from the content's first bytes, at most 10 MB (issue 7 point 3)."""

import pytest

from portal.services.evidence import MAX_BYTES, EvidenceRefused, read_evidence, store_evidence

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("data", "mime"), [
    (b"%PDF-1.4 rest", "application/pdf"), (b"\xff\xd8\xff\xe0 rest", "image/jpeg"), (PNG + b"rest", "image/png"),
    (PNG + b"0" * (MAX_BYTES - len(PNG)), "image/png"),  # exactly 10 MB
])
def test_pdf_jpeg_and_png_up_to_10_mb_are_kept(tmp_path, data, mime):
    name, stored_mime = store_evidence(tmp_path, data)
    assert stored_mime == mime and read_evidence(tmp_path, name) == data


@pytest.mark.parametrize(("data", "code", "message"), [
    (PNG + b"0" * (MAX_BYTES - len(PNG) + 1), "too-big", "The file must be smaller than 10 MB"),
    (b"GIF89a", "wrong-type", "The file must be a PDF, JPG or PNG"),
    (b"<html>%PDF-", "wrong-type", "The file must be a PDF, JPG or PNG"),
    (b"", "wrong-type", "The file must be a PDF, JPG or PNG"),
])
def test_other_files_are_refused_and_nothing_is_stored(tmp_path, data, code, message):
    with pytest.raises(EvidenceRefused) as refused:
        store_evidence(tmp_path / "uploads", data)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert not (tmp_path / "uploads").exists()


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", "", "nope.pdf"])
def test_only_a_bare_stored_name_is_read(tmp_path, name):
    assert read_evidence(tmp_path, name) is None
