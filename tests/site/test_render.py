"""perfcalc_site.render: a ```perfcalc fence parsed and rendered into its form; a broken one fails the build."""

import pytest

from perfcalc_site import render
from perfcalc_site.render import FenceError


@pytest.mark.parametrize("body,message", [
    ("arrival_rps: 80\n", "first line must be 'calculator: ID'"),
    ("calculator: nope\n", "calculator must be one of"),
    ("calculator: worker-pool\nworkers: 0\n", "workers must be a whole number"),
    ("calculator: worker-pool\nworkers: 3\nworkers: 4\n", "given twice"),
    ("calculator: worker-pool\nwokers: 3\n", "wokers is not a field of worker-pool"),
    ("calculator: worker-pool\njust text\n", "expected 'name: value'"),
])
def test_a_broken_fence_fails_the_build(body, message):
    with pytest.raises(FenceError, match=message):
        render.render_fence(body, "x", "reference/")
