"""The benchmarks' measuring helpers: ABBA interleaving, pairwise ratios and their spread."""

from __future__ import annotations

from bench.measure import Clock, interleave, ratios, spread


def test_interleave_alternates_which_side_goes_first_and_keeps_pair_order() -> None:
    calls = []

    def side(name):
        def run():
            calls.append(name)
            return {"side": name, "n": calls.count(name)}

        return run

    firsts, seconds = interleave(4, side("a"), side("b"))
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert [r["n"] for r in firsts] == [1, 2, 3, 4] and [r["n"] for r in seconds] == [1, 2, 3, 4]


def test_ratios_are_pairwise_and_spread_gives_median_min_max() -> None:
    assert ratios([2.0, 3.0, 5.0], [1.0, 3.0, 0.0]) == [2.0, 1.0]
    assert spread([1.0, 0.9, 1.3, 1.1, 1.0]) == {"median": 1.0, "min": 0.9, "max": 1.3}


def test_clock_counts_wall_and_cpu_time() -> None:
    clock = Clock().start()
    sum(i * i for i in range(200_000))
    clock.stop()
    assert clock.wall_s > 0 and clock.cpu_s > 0
    assert set(clock.as_dict()) == {"wall_s", "cpu_s", "load", "steal"}


def test_steal_share_is_the_stolen_part_of_the_machine_time(tmp_path) -> None:
    from bench.measure import cpu_times, steal_share

    assert steal_share((100.0, 10.0), (300.0, 60.0)) == 0.25
    assert steal_share((100.0, 10.0), (100.0, 10.0)) == 0.0  # no time passed: no division by zero
    total, stolen = cpu_times()
    assert total >= stolen >= 0.0
    clock = Clock().start()
    sum(i * i for i in range(100_000))
    assert 0.0 <= clock.stop().steal <= 1.0 and "steal" in clock.as_dict()
