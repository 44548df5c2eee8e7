"""Deleting a stored evidence file for the retention schedule (issue 9 point 3): only a bare
stored name inside the upload directory; a file already gone is not an error."""

import pytest

from portal.services.evidence import delete_evidence, store_evidence


def test_a_stored_file_is_deleted_once_and_a_second_delete_is_not_an_error(tmp_path):
    name, _ = store_evidence(tmp_path, b"%PDF-1.7 evidence")
    assert delete_evidence(tmp_path, name) is True
    assert not (tmp_path / name).exists()
    assert delete_evidence(tmp_path, name) is False


@pytest.mark.parametrize("name", ["../outside.pdf", "sub/inside.pdf", "", ".", ".."])
def test_a_name_with_a_path_is_refused_and_nothing_is_touched(tmp_path, name):
    uploads = tmp_path / "uploads"
    (uploads / "sub").mkdir(parents=True)
    (tmp_path / "outside.pdf").write_bytes(b"%PDF-")
    (uploads / "sub" / "inside.pdf").write_bytes(b"%PDF-")
    assert delete_evidence(uploads, name) is False
    assert (tmp_path / "outside.pdf").exists() and (uploads / "sub" / "inside.pdf").exists()
