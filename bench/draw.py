"""``python -m bench.draw``: how long the Draw tab takes from pen strokes to an answer.

Replays real pen-tablet digits (pendigits, 30 writers), scaled into pad coordinates (y down,
480x480, with the pad's pressure and time columns), through the exact call the Draw tab
makes on every update: ``Recognizer.recognize_strokes`` (render + MNIST recipe + one model
call), on LiteRT (what the Draw tab uses) interleaved with the same model on Keras in a
``tf.function`` (the fallback), ``ROUNDS`` times; for contrast Keras' ``model.predict`` on
the same inputs.  Percentiles are medians over the rounds, with their spread.  Prints ONE
JSON object; target ``pad_latency_p95_ms`` <= 2.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import shared_data

PAD_SIDE = 480.0
N_DRAWINGS = 200
N_PREDICT_CALLS = 30
ROUNDS = 3
TARGET_P95_MS = 2.0


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


def _recognizers():
    """The bundled digits model twice: on LiteRT (what the Draw tab uses) and on Keras."""
    from core.models import library
    from core.models.recognizer import Recognizer

    lite = Recognizer.load("digits")
    if lite.backend != "litert":
        raise RuntimeError(f"the digits model did not load on LiteRT: {lite.fallback_reason}")
    model, card = library.load_model("digits")
    keras_recognizer = Recognizer(model, card)
    keras_recognizer.warm_up()
    return lite, keras_recognizer


def _stats(rounds: list[list[float]], q: float) -> dict:
    """Median over rounds of each round's q-th percentile, with the rounds' spread."""
    per_round = [float(np.percentile(r, q)) for r in rounds]
    return {"median": round(float(np.median(per_round)), 3), "min": round(min(per_round), 3),
            "max": round(max(per_round), 3)}


def main() -> int:
    drawings, source = _drawings()
    lite, keras_recognizer = _recognizers()
    # Warm-up: the first calls trace graphs and fill caches; the pad loads the model likewise.
    for strokes in drawings[:5]:
        lite.recognize_strokes(strokes)
        keras_recognizer.recognize_strokes(strokes)
    from core.imaging import render_strokes

    arms = {"litert": lite, "keras_tf_function": keras_recognizer}
    latency = {arm: [] for arm in arms}
    render_ms, call_ms = {arm: [] for arm in arms}, {arm: [] for arm in arms}
    images = []
    for _ in range(ROUNDS):
        rounds = {arm: [] for arm in arms}
        for strokes in drawings:
            for arm, recognizer in arms.items():  # interleaved: both see the same machine load
                started = time.perf_counter()
                prediction = recognizer.recognize_strokes(strokes)  # the Draw tab's update path
                rounds[arm].append((time.perf_counter() - started) * 1000)
            images.append(prediction.image)
        for arm in arms:
            latency[arm].append(rounds[arm])
    # The same path in its two halves, to show where the time goes.
    for strokes in drawings:
        started = time.perf_counter()
        image = render_strokes([s[:, :3] for s in strokes])
        for arm, recognizer in arms.items():
            middle = time.perf_counter()
            recognizer.predict(image)
            call_ms[arm].append((time.perf_counter() - middle) * 1000)
            render_ms[arm].append((middle - started) * 1000)
    predict_ms = []
    model = keras_recognizer.model
    shape = (1, *model.input_shape[1:])
    model.predict(images[0].reshape(shape), verbose=0)  # its own first-call set-up
    for image in images[:N_PREDICT_CALLS]:
        started = time.perf_counter()
        model.predict(image.reshape(shape), verbose=0)
        predict_ms.append((time.perf_counter() - started) * 1000)
    p95 = _stats(latency["litert"], 95)["median"]
    result = {
        "pad_latency_p50_ms": _stats(latency["litert"], 50),
        "pad_latency_p95_ms": _stats(latency["litert"], 95),
        "pad_latency_max_ms": round(float(max(max(r) for r in latency["litert"])), 2),
        "keras_pad_latency_p50_ms": _stats(latency["keras_tf_function"], 50),
        "keras_pad_latency_p95_ms": _stats(latency["keras_tf_function"], 95),
        "preprocess_p50_ms": round(float(np.percentile(render_ms["litert"], 50)), 3),
        "litert_call_p50_ms": round(float(np.percentile(call_ms["litert"], 50)), 3),
        "litert_call_p95_ms": round(float(np.percentile(call_ms["litert"], 95)), 3),
        "tf_function_call_p50_ms": round(float(np.percentile(call_ms["keras_tf_function"], 50)), 3),
        "tf_function_call_p95_ms": round(float(np.percentile(call_ms["keras_tf_function"], 95)), 3),
        "predict_call_p50_ms": round(float(np.median(predict_ms)), 2),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": bool(p95 <= TARGET_P95_MS),
        "drawings": len(drawings),
        "rounds": ROUNDS,
        "strokes_from": source,
        "model": "bundled digits",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
