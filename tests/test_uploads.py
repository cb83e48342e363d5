"""Uploads: sanitised names inside the store's folder, the batch script's checks and messages."""

from __future__ import annotations

import pytest

from workbench.documents.uploads import UploadRefused, safe_upload_name, uploads_folder
from workbench.pipeline import BatchOptions, import_uploads

VIETNAMESE = "Bộ đội Biên phòng tỉnh Hà Giang tổ chức tuần tra trên tuyến biên giới.\n".encode()


@pytest.mark.parametrize("name, expected", [
    ("report.txt", "report.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\x.md", "x.md"),
    ("/abs/path/Đồn Biên phòng 2020.TXT", "Don_Bien_phong_2020.txt"),
    ("evil <script>.txt", "evil_script.txt"),
    ("....txt", "upload.txt"),
    ("a..b.text", "a.b.text"),
])
def test_safe_upload_name(name, expected):
    assert safe_upload_name(name) == expected


@pytest.mark.parametrize("name", ["x.exe", "notes", "slides.pptx", "meta.json", "a.txt.sh"])
def test_other_types_are_refused(name):
    with pytest.raises(UploadRefused, match="not a document type"):
        safe_upload_name(name)


def test_import_saves_good_files_and_reports_bad_ones_like_the_batch_script(store):
    summary = import_uploads(store, [
        ("../../escape.txt", VIETNAMESE),
        ("empty.txt", b"  \n"),
        ("latin1.txt", "Caf\xe9 cr\xe8me na\xefve d\xe9j\xe0 vu.\n".encode("latin-1")),
        ("tool.exe", b"MZ"),
    ], BatchOptions(translate=False))
    folder = uploads_folder(store)
    assert folder == store.path.parent / "uploads"
    assert sorted(p.name for p in folder.iterdir()) == ["escape.txt"]
    assert not (store.path.parent.parent / "escape.txt").exists()
    assert summary.documents == 1
    assert [s["path"] for s in store.document_summaries()] == [str(folder / "escape.txt")]
    assert summary.failures[0] == f"{folder / 'empty.txt'}: file holds only whitespace"
    assert summary.failures[1].startswith(f"{folder / 'latin1.txt'}:")
    assert summary.failures[2].startswith("tool.exe: not a document type")


def test_uploading_the_same_name_again_updates_the_document_in_place(store):
    import_uploads(store, [("a.txt", VIETNAMESE)], BatchOptions(translate=False))
    changed = VIETNAMESE + "Họ tuần tra cột mốc.\n".encode()
    import_uploads(store, [("a.txt", changed)], BatchOptions(translate=False))
    [summary] = store.document_summaries()
    assert summary["segments"] == 2


def test_a_refused_upload_does_not_replace_a_good_file(store):
    import_uploads(store, [("a.txt", VIETNAMESE)], BatchOptions(translate=False))
    summary = import_uploads(store, [("a.txt", b"")], BatchOptions(translate=False))
    assert summary.failed == 1
    assert (uploads_folder(store) / "a.txt").read_bytes() == VIETNAMESE


def test_an_upload_above_the_size_limit_is_refused_before_it_is_read_or_saved(store, monkeypatch):
    import workbench.documents.uploads as uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", len(VIETNAMESE) - 1)
    with pytest.raises(UploadRefused, match=r"big\.txt: file is 0\.0 MB, above the .* limit for one document"):
        uploads.check_upload(store, "big.txt", VIETNAMESE)
    summary = import_uploads(store, [("big.txt", VIETNAMESE)], BatchOptions(translate=False))
    assert summary.documents == 0 and "above the" in summary.failures[0]
    assert not (uploads_folder(store) / "big.txt").exists()
    # One byte less is within the limit.
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", len(VIETNAMESE))
    assert uploads.check_upload(store, "big.txt", VIETNAMESE).name == "big.txt"
