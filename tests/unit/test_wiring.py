"""What a function builds on first use is built by the first call alone, once; a failed build is retried."""

from __future__ import annotations

import pytest

from trackguard.wiring import on_first_use


class Builds:
    def __init__(self, failures: int = 0) -> None:
        self.count = 0
        self.failures = failures

    def __call__(self) -> dict[str, int]:
        self.count += 1
        if self.count <= self.failures:
            raise ConnectionError("Secrets Manager unreachable")
        return {"build": self.count}


def test_nothing_is_built_before_the_first_call() -> None:
    builds = Builds()

    service = on_first_use(builds)

    assert (builds.count, service.is_built) == (0, False)


def test_the_first_call_builds_and_every_later_call_gets_the_same() -> None:
    builds = Builds()
    service = on_first_use(builds)

    first, second = service(), service()

    assert first is second
    assert (first, builds.count, service.is_built) == ({"build": 1}, 1, True)


def test_a_failed_build_reaches_its_caller_keeps_nothing_and_is_tried_again() -> None:
    builds = Builds(failures=1)
    service = on_first_use(builds)

    with pytest.raises(ConnectionError):
        service()

    assert service.is_built is False
    assert service() == {"build": 2}


def test_reset_forgets_what_was_built() -> None:
    builds = Builds()
    service = on_first_use(builds)
    first = service()

    service.reset()

    assert service() == {"build": 2}
    assert service() is not first


def test_it_keeps_the_factory_name_and_docstring() -> None:
    def processor() -> dict[str, int]:
        """The processing service as deployed."""
        return {}

    service = on_first_use(processor)

    # update_wrapper copies the name onto the instance: it is no attribute the class declares
    assert (vars(service)["__name__"], service.__doc__) == (
        "processor",
        "The processing service as deployed.",
    )
