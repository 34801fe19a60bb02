"""LiteRT copies of models: converted and verified at save, run without TensorFlow, refused
when corrupt or mismatched (Keras takes over, said once), exported for use elsewhere."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from core.models import conversion, library, litert
from core.models.export import convert_models, export_model
from core.models.recognizer import Recognizer
from tests.helpers.models import install_tiny_model, tiny_model_folder

REPO = Path(__file__).resolve().parents[2]
# Largest |p_litert - p_keras| allowed on real digits: the conversion's own probe tolerance.
PARITY = conversion.TOLERANCE


@pytest.fixture(autouse=True)
def fresh_reports(monkeypatch):
    """Each test sees its own 'logged once' memory."""
    monkeypatch.setattr(litert, "_reported", {})


@pytest.fixture
def tiny_name(tmp_path_factory, mnist) -> str:
    return install_tiny_model(tmp_path_factory, mnist)


def test_saving_writes_a_verified_litert_file_listed_in_the_card(tmp_path_factory, mnist) -> None:
    folder = tiny_model_folder(tmp_path_factory, mnist)
    card = json.loads((folder / "card.json").read_text())
    entry = card["litert"]
    content = (folder / "model.tflite").read_bytes()
    assert entry["file"] == "model.tflite" and entry["bytes"] == len(content)
    assert entry["sha256"] == litert.sha256(content)
    assert entry["probe_images"] == conversion.PROBE_SIZE
    assert 0 <= entry["max_abs_diff"] <= entry["tolerance"] == conversion.TOLERANCE


@pytest.mark.parametrize("name", ["digits", "letters"])
def test_bundled_models_carry_their_litert_file(name) -> None:
    card = library.find_model(name)
    assert card.data["litert"]["file"] == "model.tflite"
    assert litert.sha256((card.folder / "model.tflite").read_bytes()) == card.data["litert"]["sha256"]


def test_litert_and_keras_agree_on_real_digits(tiny_name, mnist) -> None:
    lite = Recognizer.load(tiny_name)
    model, card = library.load_model(tiny_name)
    keras_recognizer = Recognizer(model, card)
    assert (lite.backend, keras_recognizer.backend) == ("litert", "keras")
    images = mnist.split("test").images[:300]
    p_lite = np.stack([p.probabilities for p in lite.predict_many(images)])
    p_keras = np.stack([p.probabilities for p in keras_recognizer.predict_many(images)])
    assert np.max(np.abs(p_lite - p_keras)) <= PARITY
    assert (p_lite.argmax(1) == p_keras.argmax(1)).all()
    one = images[7].astype(np.float32) / 255.0
    assert np.max(np.abs(lite.predict(one).probabilities - keras_recognizer.predict(one).probabilities)) <= PARITY


def test_without_the_runtime_recognition_falls_back_to_keras_and_says_so_once(
    tiny_name, monkeypatch, caplog
) -> None:
    def missing():
        raise ImportError("No module named 'ai_edge_litert'")

    monkeypatch.setattr(litert, "interpreter_class", missing)
    with caplog.at_level(logging.WARNING, logger="core.models.litert"):
        first = Recognizer.load(tiny_name)
        second = Recognizer.load(tiny_name)
    assert first.backend == second.backend == "keras"
    assert "ai-edge-litert is not installed" in first.fallback_reason
    assert len([r for r in caplog.records if "ai-edge-litert" in r.getMessage()]) == 1
    assert first.predict(np.eye(28, dtype=np.float32)).label in tuple("0123456789")


def _replace_litert(name: str, content: bytes) -> Path:
    """Put ``content`` as the model's LiteRT file with a card that vouches for it."""
    folder = library.models_dir() / name
    (folder / "model.tflite").write_bytes(content)
    card = json.loads((folder / "card.json").read_text())
    card["litert"]["sha256"] = litert.sha256(content)
    (folder / "card.json").write_text(json.dumps(card))
    return folder


def _tflite(input_shape, n_out) -> bytes:
    """A LiteRT file of a model InkLab cannot use, made with TensorFlow's own converter."""
    import keras
    import tensorflow as tf

    model = keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(), keras.layers.Dense(n_out)])
    return bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: b"\x00garbage bytes, not a flatbuffer" * 10, "not a LiteRT model file"),
        (lambda: b"\x00\x00\x00\x00TFL3" + os.urandom(400), "corrupt"),
        (lambda: _tflite((28, 28, 1), 7), "7 outputs"),
        (lambda: _tflite((32, 32, 1), 10), "expects input"),
    ],
    ids=["garbage", "corrupt-flatbuffer", "class-count", "input-shape"],
)
def test_bad_litert_files_are_refused_and_keras_takes_over(tiny_name, caplog, make, message) -> None:
    content = make()
    with pytest.raises(ModelError, match=message):
        litert.LiteRTModel(content, 10, "probe")
    _replace_litert(tiny_name, content)
    with caplog.at_level(logging.WARNING, logger="core.models.litert"):
        recognizer = Recognizer.load(tiny_name)
        Recognizer.load(tiny_name)
    assert recognizer.backend == "keras"
    assert message in recognizer.fallback_reason and "Keras" in recognizer.fallback_reason
    assert len([r for r in caplog.records if message in r.getMessage()]) == 1


def test_a_litert_file_that_does_not_match_its_card_is_refused(tiny_name) -> None:
    folder = library.models_dir() / tiny_name
    (folder / "model.tflite").write_bytes((folder / "model.tflite").read_bytes()[:-16] + b"\0" * 16)
    recognizer = Recognizer.load(tiny_name)
    assert recognizer.backend == "keras" and "checksum" in recognizer.fallback_reason


def test_a_model_saved_before_litert_gets_its_file_when_keras_loads_it(tiny_name) -> None:
    folder = library.models_dir() / tiny_name
    (folder / "model.tflite").unlink()
    card = json.loads((folder / "card.json").read_text())
    del card["litert"]
    (folder / "card.json").write_text(json.dumps(card))
    first = Recognizer.load(tiny_name)  # no LiteRT file yet: Keras, which converts it on the way
    assert first.backend == "keras" and "no LiteRT file yet" in first.fallback_reason
    assert (folder / "model.tflite").is_file()
    assert Recognizer.load(tiny_name).backend == "litert"


def test_models_convert_adds_missing_files_and_redoes_named_ones(tiny_name) -> None:
    folder = library.models_dir() / tiny_name
    (folder / "model.tflite").unlink()
    card = json.loads((folder / "card.json").read_text())
    del card["litert"]
    (folder / "card.json").write_text(json.dumps(card))
    done = convert_models()
    assert [name for name, _ in done] == [tiny_name] and done[0][1]["file"] == "model.tflite"
    assert convert_models() == []
    assert convert_models([tiny_name])[0][1]["sha256"] == litert.sha256((folder / "model.tflite").read_bytes())
    with pytest.raises(ModelError, match="bundled"):
        convert_models(["digits"])


def test_export_tflite_and_savedmodel(tiny_name, tmp_path) -> None:
    lite = export_model(tiny_name, tmp_path / "out")
    assert sorted(p.name for p in lite.iterdir()) == ["card.json", "labels.txt", "model.tflite"]
    card = json.loads((lite / "card.json").read_text())
    assert card["export"] == {"format": "tflite", "files": ["card.json", "labels.txt", "model.tflite"]}
    assert (lite / "labels.txt").read_text().split() == list("0123456789")
    runner = litert.LiteRTModel((lite / "model.tflite").read_bytes(), 10)
    assert runner.run(np.zeros((3, 28, 28), np.float32)).shape == (3, 10)
    with pytest.raises(ModelError, match="already exists"):
        export_model(tiny_name, tmp_path / "out")
    saved = export_model(tiny_name, tmp_path / "sm", "savedmodel")
    assert (saved / "saved_model" / "saved_model.pb").is_file() and "litert" not in json.loads(
        (saved / "card.json").read_text()
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == [tiny_name]  # no staging folder left
    with pytest.raises(ModelError, match="unknown export format"):
        export_model(tiny_name, tmp_path / "x", "onnx")


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INKLAB_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=180,
    )


def test_recognize_and_export_cli_import_no_tensorflow_and_print_only_the_answer(tmp_path) -> None:
    from PIL import Image

    page = np.full((60, 60), 255, np.uint8)
    page[10:50, 27:33] = 0
    Image.fromarray(page).save(tmp_path / "one.png")
    done = _run(
        f"""
        import sys, main
        codes = [main.main(["recognize", {str(tmp_path / "one.png")!r}, "--model", "digits"]),
                 main.main(["models", "export", "digits", "--to", {str(tmp_path / "out")!r}])]
        print("exit", codes, "tensorflow" in sys.modules, "keras" in sys.modules)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.strip().splitlines()
    assert lines[1].split()[2] == "1"  # the table row: FILE, #, LABEL
    assert lines[-1] == "exit [0, 0] False False"
    assert (tmp_path / "out" / "digits" / "model.tflite").is_file()


def test_the_draw_tab_answers_the_first_stroke_without_tensorflow(tmp_path) -> None:
    done = _run(
        """
        import sys
        from PySide6.QtCore import QPoint, Qt, QTimer
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication
        from gui.draw.tab import DrawTab

        app = QApplication([])
        tab = DrawTab()
        tab.resize(900, 600)
        tab.show()

        def stroke():
            pad = tab.pad
            points = [QPoint(pad.width() // 2, int(pad.height() * (0.15 + 0.7 * i / 20))) for i in range(21)]
            QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
            for p in points[1:]:
                QTest.mouseMove(pad, p)
            QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
            QTimer.singleShot(20, check)

        def check():
            if tab.prediction is None:
                tab.update_prediction()
                QTimer.singleShot(20, check)
                return
            print("answer", tab.prediction.label, tab.recognizer().backend, "tensorflow" in sys.modules)
            app.quit()

        QTimer.singleShot(50, stroke)
        QTimer.singleShot(60_000, app.quit)
        app.exec()
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "answer 1 litert False"


def test_the_cli_filter_drops_native_chatter_only() -> None:
    from core.native_logs import keep

    chatter = [
        b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        b"I0000 00:00:1796195280.181907   16865 port.cc:153] oneDNN custom operations are on.",
        b"E0000 00:00:1796195382.397803   18646 cuda_platform.cc:52] failed call to cuInit: INTERNAL",
        b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
        b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with",
    ]
    kept = [b"inklab: error: no model called 'x'", b"Traceback (most recent call last):", b"\repoch 1/3 [####  ]"]
    assert [keep(line) for line in chatter] == [False] * len(chatter)
    assert all(keep(line) for line in kept)


def test_copying_a_model_keeps_its_litert_file_usable(tiny_name, tmp_path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(library.models_dir() / tiny_name, copy)
    assert Recognizer.load(copy).backend == "litert"


def test_a_conversion_that_disagrees_with_keras_is_refused_and_recorded(tiny_name, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(conversion, "TOLERANCE", -1.0)  # nothing can agree this well
    model, _ = library.load_model(tiny_name)
    card = library.save_model(model, "strict", label_names=tuple("0123456789"), outputs="logits", root=tmp_path)
    assert card.data["litert"]["file"] is None and "disagree" in card.data["litert"]["error"]
    assert not (card.folder / "model.tflite").exists()
    recognizer = Recognizer.load(card.folder)
    assert recognizer.backend == "keras" and "conversion failed" in recognizer.fallback_reason


def test_a_command_that_loads_tensorflow_prints_no_native_log_lines(tmp_path) -> None:
    """SavedModel export imports TensorFlow: absl/CUDA/oneDNN lines must not reach the user."""
    env = dict(os.environ, INKLAB_DATA_DIR=str(tmp_path / "data"))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "main.py", "models", "export", "digits", "--to", str(tmp_path), "--format", "savedmodel"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("exported 'digits' (savedmodel)")


def test_models_info_says_whether_there_is_a_litert_file(capsys) -> None:
    from core.cli import run_cli

    assert run_cli(["models", "info", "digits"]) == 0
    assert "LiteRT: model.tflite" in capsys.readouterr().out


def test_one_drawing_runs_on_one_thread_and_a_batch_on_the_cores(monkeypatch) -> None:
    from core import hardware
    from core.models import litert

    monkeypatch.setattr(hardware.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert litert._threads_for(1) == 1  # the pad: nothing to split, and the GUI keeps a core
    assert litert._threads_for(256) == 2
    monkeypatch.setattr(hardware.os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert litert._threads_for(256) == litert.BATCH_THREADS
