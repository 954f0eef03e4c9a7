"""A job that outlives any short timeout, for the runner's timeout test."""

import time


def sleep(*, seconds: float) -> dict:
    time.sleep(seconds)
    return {"slept": seconds}
