# Everyday tasks. CI runs .ci/run (lint, `handouts check --strict`, and every test including the slow ones).
.PHONY: check lint test test-all images

check: lint test

lint:
	ruff check handouts tests benchmarks
	ruff format --check handouts tests benchmarks
	mypy

test:
	python -m pytest -q

# The slow tests too (every tailoring in large print, a 100,000-row manifest), as .ci/run does.
test-all:
	python -m pytest -q --run-slow

# Page 1 of the standard, large-print and summary handouts and of a topic sheet, and the standard
# handout as a web page on a phone (390 x 844 CSS pixels), shown in README.md and docs/.
images:
	mkdir -p docs/images
	SOURCE_DATE_EPOCH=1795651200 handouts build --type rrms --clinic docs/examples/clinic.yaml -o /tmp/standard.pdf
	SOURCE_DATE_EPOCH=1795651200 handouts build --type rrms --clinic docs/examples/clinic.yaml --print large -o /tmp/large.pdf
	SOURCE_DATE_EPOCH=1795651200 handouts build --type rrms --clinic docs/examples/clinic.yaml --layout summary -o /tmp/summary.pdf
	SOURCE_DATE_EPOCH=1795651200 handouts build --sheets fatigue --sheets-only --clinic docs/examples/clinic.yaml -o /tmp/sheet.pdf
	for name in standard large summary sheet; do \
	  pdftoppm -png -r 60 -f 1 -l 1 -singlefile /tmp/$$name.pdf docs/images/$$name-page1; done
	SOURCE_DATE_EPOCH=1795651200 handouts build --type rrms --clinic docs/examples/clinic.yaml --emit html -o /tmp/standard.html
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=390,844 \
	  --screenshot=docs/images/html-phone.png file:///tmp/standard.html
