"""Retrying an append that lost a race on a hot stream (a registration counter, an access log):
the stream's unique version decides who won; the loser reloads and tries again a little later."""

from __future__ import annotations

import random
import time

ATTEMPTS = 30


def back_off(attempt: int) -> None:
    """Sleep a jittered, growing moment, so that writers who collided stop colliding."""
    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
