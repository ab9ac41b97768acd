"""The site's URLs plus the bench's floor, for tests that switch KEYWORKER_BENCH on after the URLconf loaded."""

from django.urls import path

from keyworker.bench.views import floor
from keyworker.urls import urlpatterns as site

urlpatterns = [*site, path("bench/floor", floor, name="bench_floor")]
