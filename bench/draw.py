"""``python -m bench.draw``: how long the Draw tab takes from pen strokes to an answer.

Replays real pen-tablet digits (pendigits, 30 writers), scaled into pad coordinates (y down,
480x480, with the pad's pressure and time columns), through the exact call the Draw tab
makes on every update: ``Recognizer.recognize_strokes`` (render + MNIST recipe + one model
call in a ``tf.function``).  For contrast, Keras' ``model.predict`` on the same inputs in
the same run.  Prints ONE JSON object; target ``pad_latency_p95_ms`` <= 10.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import REPO, shared_data

PAD_SIDE = 480.0
N_DRAWINGS = 200
N_PREDICT_CALLS = 30


def _pad_strokes(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Tablet strokes (y up) as the pad records them: widget pixels, y down, pressure, time."""
    xy = np.concatenate(strokes)[:, :2].astype(np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = 0.7 * PAD_SIDE / max(float((hi - lo).max()), 1.0)
    out, t = [], 0.0
    for stroke in strokes:
        n = len(stroke)
        x = (stroke[:, 0] - lo[0]) * scale + 0.15 * PAD_SIDE
        y = (hi[1] - stroke[:, 1]) * scale + 0.15 * PAD_SIDE
        times = t + np.arange(n) * 0.01
        t = times[-1] + 0.1
        out.append(np.column_stack([x, y, np.full(n, 0.5), times]).astype(np.float32))
    return out


def _drawings() -> tuple[list[list[np.ndarray]], str]:
    folder = shared_data() / "pendigits"
    try:
        from core.datasets.readers.unipen import load_pendigits_strokes

        samples = load_pendigits_strokes(folder)
    except Exception as err:  # no data here: fall back to synthetic strokes, and say so
        print(f"bench.draw: pendigits not usable ({err}); using synthetic strokes", file=sys.stderr)
        rng = np.random.default_rng(0)
        drawings = []
        for _ in range(N_DRAWINGS):
            a = np.linspace(0, 2 * np.pi * rng.uniform(0.5, 1.0), 60)
            drawings.append([np.column_stack([np.sin(a) * 100 + 200, np.cos(a) * 150 + 200])])
        return [_pad_strokes(d) for d in drawings], "synthetic"
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(samples), min(N_DRAWINGS, len(samples)), replace=False)
    return [_pad_strokes(samples[int(i)].strokes) for i in chosen], f"pendigits, {len(chosen)} real drawings"


def _recognizer():
    from core.models.recognizer import Recognizer

    if (REPO / "resources" / "models" / "digits" / "model.keras").is_file():
        return Recognizer.load("digits"), "bundled digits"
    from core.models.presets import get_preset

    preset = get_preset("cnn-classic")
    model = preset.build(10)
    recognizer = Recognizer(model, {"name": "cnn-classic", "label_names": list("0123456789"),
                                    "outputs": preset.outputs})
    recognizer.warm_up()
    return recognizer, "cnn-classic, freshly built and untrained (the bundled digits model is not there yet)"


def main() -> int:
    drawings, source = _drawings()
    recognizer, model_name = _recognizer()
    # Warm-up: the first calls trace graphs and fill caches; the pad loads the model likewise.
    for strokes in drawings[:5]:
        recognizer.recognize_strokes(strokes)
    latencies, images = [], []
    for strokes in drawings:
        started = time.perf_counter()
        prediction = recognizer.recognize_strokes(strokes)  # the Draw tab's update path
        latencies.append((time.perf_counter() - started) * 1000)
        images.append(prediction.image)
    # The same path in its two halves, to show where the time goes.
    from core.imaging import render_strokes

    render_ms, call_ms = [], []
    for strokes in drawings:
        started = time.perf_counter()
        image = render_strokes([s[:, :3] for s in strokes])
        middle = time.perf_counter()
        recognizer.predict(image)
        render_ms.append((middle - started) * 1000)
        call_ms.append((time.perf_counter() - middle) * 1000)
    predict_ms = []
    model = recognizer.model
    shape = (1, *model.input_shape[1:])
    model.predict(images[0].reshape(shape), verbose=0)  # its own first-call set-up
    for image in images[:N_PREDICT_CALLS]:
        started = time.perf_counter()
        model.predict(image.reshape(shape), verbose=0)
        predict_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "pad_latency_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "pad_latency_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "pad_latency_max_ms": round(float(np.max(latencies)), 2),
        "preprocess_p50_ms": round(float(np.percentile(render_ms, 50)), 2),
        "tf_function_call_p50_ms": round(float(np.percentile(call_ms, 50)), 2),
        "predict_call_ms": round(float(np.median(predict_ms)), 2),
        "target_p95_ms": 10.0,
        "meets_target": bool(np.percentile(latencies, 95) <= 10.0),
        "drawings": len(latencies),
        "strokes_from": source,
        "model": model_name,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
