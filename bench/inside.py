"""``python -m bench.inside``: what the Draw tab's Inside view costs, and what it costs the pad.

- **Look inside one drawing** (every layer's output + the occlusion "Why?" map, what the view
  computes per update) for an untrained-but-converted ``recommended`` model (the arithmetic
  does not depend on the weights) and the bundled digits model (``recommended-wide``), on
  real pendigits drawings rendered as the pad does, interleaved with the baseline: the one
  model call of the answer itself.  Wall p50/p95 (median over rounds, with spread) and CPU ms.
- **The pad's answer with the Inside view open**: ``recognize_strokes`` (the Draw tab's
  path) alone, and while another thread looks inside every 80 ms as the view does;
  blocks alternate, ABBA.
- **The map**: reading 2,000 MNIST test samples' features and fitting PCA (baseline: the
  same 2,000 recognised in batches), and moving the drawing's marker (one look + one
  projection).
- **Capturing the weights during training** (the Training tab's filters and histograms): a
  snapshot's cost against an epoch of ``recommended`` on 3,000 MNIST samples, and bare
  ``model.fit`` against ``model.fit`` with the capture after each epoch, interleaved pairs.
Target: look p95 <= 15 ms (recommended), map <= 2 s, marker <= 5 ms, pad p95 unchanged,
training with the capture >= 0.95 of bare fit's throughput.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.measure import load_average, spread  # noqa: E402

ROUNDS = 3
N_DRAWINGS = 100
FOLLOW_S = 0.08


def _recommended_probe():
    from core.inside.probe import NetworkProbe
    from core.models.conversion import convert
    from core.models.presets import get_preset

    preset = get_preset("recommended")
    model = preset.build(11)
    return NetworkProbe(convert(model, preset.outputs).content, preset.outputs, where="recommended")


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _look_rounds(probe, images) -> dict:
    from core.inside.saliency import occlusion

    def look(image):
        probe.look(image)
        occlusion(probe, image)

    look_ms, look_cpu, base_ms = [], [], []
    for _ in range(ROUNDS):
        walls, cpus, bases = [], [], []
        for image in images:
            wall, cpu = _timed(lambda image=image: look(image))
            walls.append(wall)
            cpus.append(cpu)
            bases.append(_timed(lambda image=image: probe.log_probabilities(image[None]))[0])
        look_ms.append(walls)
        look_cpu.append(cpus)
        base_ms.append(bases)
    return {
        "look_p50_ms": spread([float(np.percentile(r, 50)) for r in look_ms]),
        "look_p95_ms": spread([float(np.percentile(r, 95)) for r in look_ms]),
        "look_cpu_ms_per_drawing": spread([float(np.mean(r)) for r in look_cpu]),
        "baseline_one_call_p50_ms": spread([float(np.percentile(r, 50)) for r in base_ms]),
        "baseline_one_call_p95_ms": spread([float(np.percentile(r, 95)) for r in base_ms]),
    }


def _pad_with_inside(drawings, images) -> dict:
    from core.inside.probe import probe_for
    from core.inside.saliency import occlusion
    from core.models.recognizer import Recognizer

    recognizer = Recognizer.load("digits")
    probe = probe_for(recognizer)
    stop = threading.Event()

    def follow():
        i = 0
        while not stop.is_set():
            probe.look(images[i % len(images)])
            occlusion(probe, images[i % len(images)])
            i += 1
            stop.wait(FOLLOW_S)

    def block(with_inside: bool) -> list[float]:
        worker = threading.Thread(target=follow) if with_inside else None
        stop.clear()
        if worker:
            worker.start()
        times = []
        for strokes in drawings:
            started = time.perf_counter()
            recognizer.recognize_strokes(strokes)
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.005)  # the pad answers at most every 50 ms; leave the worker room to run
        stop.set()
        if worker:
            worker.join()
        return times

    closed, opened = [], []
    for i in range(2 * ROUNDS):
        order = (False, True) if i % 2 == 0 else (True, False)
        for with_inside in order:
            (opened if with_inside else closed).append(block(with_inside))
    return {
        "closed_p50_ms": spread([float(np.percentile(r, 50)) for r in closed]),
        "closed_p95_ms": spread([float(np.percentile(r, 95)) for r in closed]),
        "open_p50_ms": spread([float(np.percentile(r, 50)) for r in opened]),
        "open_p95_ms": spread([float(np.percentile(r, 95)) for r in opened]),
    }


def _map(images) -> dict:
    from core.inside import feature_map
    from core.inside.probe import probe_for
    from core.models.recognizer import Recognizer

    recognizer = Recognizer.load("digits")
    probe = probe_for(recognizer)
    name, samples, _labels, _ = feature_map.choose_samples(recognizer.card, recognizer.label_names)
    build_ms, build_cpu, base_ms = [], [], []
    fitted = None
    for _ in range(ROUNDS):
        def build():
            nonlocal fitted
            features = probe.features(samples)
            mean, axes, _ = feature_map.principal_axes(features)
            fitted = (mean, axes)

        wall, cpu = _timed(build)
        build_ms.append(wall)
        build_cpu.append(cpu)
        base_ms.append(_timed(lambda: recognizer.predict_many(samples))[0])
    mean, axes = fitted
    marker, projection = [], []
    for image in images:
        features = probe.look(image).features
        projection.append(_timed(lambda features=features: (features - mean) @ axes.T)[0])
        marker.append(_timed(lambda image=image: (probe.look(image).features - mean) @ axes.T)[0])
    return {
        "samples": len(samples),
        "from": name,
        "project_s": spread([w / 1000 for w in build_ms]),
        "project_cpu_s": spread([c / 1000 for c in build_cpu]),
        "baseline_recognise_same_samples_s": spread([w / 1000 for w in base_ms]),
        "marker_p50_ms": round(float(np.percentile(marker, 50)), 3),
        "marker_p95_ms": round(float(np.percentile(marker, 95)), 3),
        "projection_only_p95_ms": round(float(np.percentile(projection, 95)), 4),
    }


def _capture_overhead() -> dict:
    import keras

    from bench.measure import interleave, ratios
    from core.datasets.catalogue import load_dataset
    from core.training.evolution import snapshot

    split = load_dataset("mnist").split("train").take(slice(0, 3000))
    x, y = split.images[..., None] / np.float32(255), split.labels
    model = _recommended_model()

    class Capture(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshot(model, epoch + 1)

    def fit(with_capture: bool) -> dict:
        wall, cpu = time.perf_counter(), time.process_time()
        if with_capture:
            snapshot(model, 0)
        model.fit(x, y, epochs=1, batch_size=256, verbose=0, callbacks=[Capture()] if with_capture else [])
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}

    fit(False)  # tracing and the first epoch's set-up are nobody's cost
    bare, captured = interleave(4, lambda: fit(False), lambda: fit(True))
    snaps = [_timed(lambda: snapshot(model, 1)) for _ in range(20)]
    epoch_cpu = float(np.median([b["cpu"] for b in bare]))
    snap_cpu = float(np.median([c for _, c in snaps])) / 1000
    return {
        "snapshot_ms": round(float(np.median([w for w, _ in snaps])), 3),
        "snapshot_cpu_ms": round(snap_cpu * 1000, 3),
        "epoch_cpu_s": round(epoch_cpu, 2),
        "throughput_ratio_from_cpu": round(epoch_cpu / (epoch_cpu + 2 * snap_cpu), 4),
        "throughput_ratio_fit_pairs": spread(ratios([b["wall"] for b in bare], [c["wall"] for c in captured])),
        "throughput_ratio_fit_pairs_cpu": spread(ratios([b["cpu"] for b in bare], [c["cpu"] for c in captured])),
    }


def _recommended_model():
    import keras

    from core.models.presets import get_preset

    preset = get_preset("recommended")
    model = preset.build(10)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def main() -> int:
    from bench.draw import _drawings
    from core.imaging import render_strokes
    from core.inside.probe import probe_for
    from core.models.recognizer import Recognizer

    drawings, source = _drawings()
    drawings = drawings[:N_DRAWINGS]
    images = [render_strokes([s[:, :3] for s in d]) for d in drawings]
    load = [load_average()]
    recommended = _look_rounds(_recommended_probe(), images)
    bundled = _look_rounds(probe_for(Recognizer.load("digits")), images)
    pad = _pad_with_inside(drawings, images)
    mapped = _map(images)
    capture = _capture_overhead()
    load.append(load_average())
    result = {
        "recommended": recommended,
        "bundled_digits_recommended_wide": bundled,
        "pad_answer_with_inside_open": pad,
        "map": mapped,
        "training_capture": capture,
        "targets": {"look_p95_ms": 15, "project_s": 2, "marker_ms": 5, "capture_throughput": 0.95},
        "meets": {
            "look": recommended["look_p95_ms"]["median"] <= 15,
            "map": mapped["project_s"]["median"] <= 2,
            "marker": mapped["marker_p95_ms"] <= 5,
            "capture": capture["throughput_ratio_from_cpu"] >= 0.95,
        },
        "drawings": len(images),
        "strokes_from": source,
        "rounds": ROUNDS,
        "load_average": load,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
