"""What only Zensical's build (Material's successor) has: its own search dialog.

Zensical runs the same SuperFences formatters (no MkDocs hooks) and the same
bundle step; its theme is a fork of Material's, with its own JavaScript. What
both engines' builds must do alike is checked once, on each (the ``site_url``
fixture): every page's pre-rendered numbers (test_pages.py), instant
navigation through every page with one document and one worker, and offline
(test_runtime.py).
"""

from .conftest import wait_live
from .helpers import wait_until


def test_search_under_the_policy(live_page, zensical_url):
    """Zensical's search dialog adds a stylesheet of its own by script: the policy allows it by hash."""
    from .test_security import RECORD_VIOLATIONS
    live_page.add_init_script(RECORD_VIOLATIONS)
    live_page.goto(zensical_url + "wsgi/")
    wait_live(live_page)
    live_page.keyboard.press("/")
    live_page.keyboard.type("cache", delay=30)
    # The dialog lives in a shadow root; its results name the query.
    wait_until(live_page, """() => [...document.body.children].some(e => e.shadowRoot
        && e.shadowRoot.querySelector('dialog[open]') && /cache/i.test(e.shadowRoot.textContent))""")
    assert live_page.evaluate("window.__violations") == []
