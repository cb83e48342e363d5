"""The Ray engine on a local one-CPU Ray instance with the tiny checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.errors import ModelUnavailable
from workbench.mt.base import DecodingSettings
from workbench.mt.ray_engine import RayUnavailable, run_on_ray
from workbench.mt.transformers_engine import MarianTranslator
from workbench.pipeline import BatchOptions, translate_chunk

SENTENCES = [
    "Toàn cảnh hội nghị.",
    "Lực lượng BĐBP ngày càng lớn mạnh và thực hiện tốt nhiệm vụ công tác quản lý BVCQANBG.",
    "Tỉnh uỷ Lạng Sơn.",
    "Phối hợp với các lực lượng trên địa bàn tham gia bảo vệ biên giới.",
    "Toàn cảnh hội nghị.",
]


def test_clear_error_without_ray(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail
    with pytest.raises(RayUnavailable, match=r"pip install 'ray\[data\]'.*--engine ctranslate2"):
        run_on_ray(["Xin chào."], "vi-en", "unused", BatchOptions(), translate_chunk)


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray instance with one CPU; the conversion cache is passed to its workers."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'ray[data]')")
    pytest.importorskip("ctranslate2", reason="the ctranslate2 engine is not installed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_CT2_CACHE", str(tmp_path_factory.mktemp("ct2-cache")))
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
        try:
            yield ray
        finally:
            ray.shutdown()


@pytest.mark.slow
def test_results_match_the_transformers_engine(local_ray, tiny_checkpoints):
    checkpoint = str(tiny_checkpoints["vi-en"])
    seen = []
    results = run_on_ray(SENTENCES, "vi-en", checkpoint, BatchOptions(beams=1), translate_chunk,
                         progress=lambda done, total: seen.append((done, total)),
                         compute_type="float32", rows_per_call=2)
    expected = MarianTranslator("vi-en", checkpoint).translate_best(SENTENCES, DecodingSettings(beams=1))
    assert [text for text, _ in results] == expected
    assert [report for _, report in results] == [None] * len(SENTENCES)
    assert seen[-1] == (len(SENTENCES), len(SENTENCES))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.slow
def test_glossary_reaches_the_actors(local_ray, tiny_checkpoints):
    from workbench.glossary import load_glossary

    glossary = load_glossary(Path(__file__).resolve().parent.parent / "glossaries")
    options = BatchOptions(beams=2, glossary=glossary)
    (text, report), = run_on_ray(["BĐBP tỉnh họp."], "vi-en", str(tiny_checkpoints["vi-en"]), options,
                                 translate_chunk)
    assert report["glossary_version"] == glossary.version
    assert report["occurrences"][0]["entry_id"] == "vn-bdbp"
    assert "Border Army" not in text


@pytest.mark.slow
def test_missing_checkpoint_on_the_workers(local_ray, tmp_path):
    with pytest.raises(ModelUnavailable, match="no config.json"):
        run_on_ray(["Xin chào."], "vi-en", str(tmp_path / "nowhere"), BatchOptions(), translate_chunk)


@pytest.mark.slow
def test_pipeline_stores_what_the_actors_translate(local_ray, tiny_checkpoints, seeds_dir, store):
    import dataclasses

    from workbench.pipeline import run_batch

    if "engine" not in {f.name for f in dataclasses.fields(BatchOptions)}:
        pytest.skip("the pipeline does not select engines yet (integration pending)")
    document = next(seeds_dir.glob("004_vi_*.txt"))
    options = BatchOptions(models={"vi-en": str(tiny_checkpoints["vi-en"])}, beams=1, engine="ray")
    seen = []
    summary = run_batch([document], store, options, progress=lambda done, total: seen.append((done, total)))
    assert summary.translated == summary.segments > 0 and not summary.failures
    assert seen[-1] == (summary.segments, summary.segments)
    (doc,) = store.document_summaries()
    segments = store.segments(doc["id"])
    assert all(s.random_weights for s in segments)
    engines = {row[0] for row in store.conn.execute("SELECT DISTINCT engine FROM translations")}
    assert engines == {"ray/ctranslate2"}
