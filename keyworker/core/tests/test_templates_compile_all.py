"""A web worker compiles every page template as it starts (keyworker/wsgi.py), so no visitor's request pays
for it; a template that does not compile fails here rather than at a worker's start."""

from __future__ import annotations

from keyworker.core.jinja2 import page_environment, page_template_names, templates_compile_all


def test_every_page_template_compiles_into_the_cache() -> None:
    env = page_environment()
    pages = page_template_names()
    assert any(name.startswith("govuk_frontend_jinja/") for name in pages)  # the GOV.UK macros too
    assert templates_compile_all() == len(pages) > 100
    # All of them are held: the cache is large enough that none is compiled twice.
    assert env.cache is not None and len(env.cache) >= len(pages)
