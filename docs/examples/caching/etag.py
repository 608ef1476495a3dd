"""Conditional GET that skips the work: the ETag is computed from a version, before rendering.

Werkzeug can hash a rendered body into an ETag (``response.add_etag()``) and
answer ``304 Not Modified`` with ``make_conditional``, but by then the
template has been rendered and the queries run: only bandwidth is saved.
Here the validator is built from something cheap that changes whenever the
page would (a row's ``updated_at``, a version counter), and checked first.

Try it:  flask --app etag run
         curl -i localhost:5000/articles/1
         curl -i -H 'If-None-Match: "article-1-v3"' localhost:5000/articles/1
"""

from __future__ import annotations

from flask import Flask, Response, abort, make_response, render_template_string, request

# Stands for the database: the version is one indexed column, far cheaper than the page.
ARTICLES = {1: {"title": "Little's law", "version": 3, "body": "L = λW"}}

PAGE = "<h1>{{ a.title }}</h1><p>{{ a.body }}</p>"


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/articles/<int:article_id>")
    def article(article_id: int):
        meta = ARTICLES.get(article_id)  # in a real app: SELECT version FROM articles WHERE id = …
        if meta is None:
            abort(404)
        etag = f"article-{article_id}-v{meta['version']}"

        # If-None-Match uses the weak comparison (RFC 9110, 13.1.2): W/"x" matches "x".
        if request.if_none_match.contains_weak(etag):
            not_modified = Response(status=304)
            not_modified.set_etag(etag)
            not_modified.cache_control.no_cache = True  # revalidate every time; a 304 is cheap
            return not_modified

        response = make_response(render_template_string(PAGE, a=meta))  # the expensive part
        response.set_etag(etag)
        response.cache_control.no_cache = True
        # make_conditional also handles If-Modified-Since and Range; here it is the safety net.
        return response.make_conditional(request)

    @app.get("/catalogue")
    def catalogue():
        response = make_response({"items": sorted(a["title"] for a in ARTICLES.values())})
        # Browsers keep it 60 s; shared caches (CDN) 300 s, then may serve it stale for
        # 30 s more while they fetch a fresh copy in the background (RFC 5861).
        response.cache_control.public = True
        response.cache_control.max_age = 60
        response.cache_control.s_maxage = 300
        response.cache_control.stale_while_revalidate = 30
        return response

    return app


app = create_app()
