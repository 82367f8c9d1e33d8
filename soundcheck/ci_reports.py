"""Test and coverage reports uploaded by CI, turned into facts.

XML is parsed with defusedxml with DTDs, entities and external references all forbidden, after a
size check, so billion-laughs, external-entity and oversized files are refused before they cost
anything. Facts from JUnit XML: ``ci.tests_run`` (test cases not skipped), ``ci.failures``,
``ci.errors``, ``ci.skipped`` and ``ci.tests_passed`` (tests ran, none failed or errored); from a
Cobertura report or a plain number: ``ci.coverage`` (line coverage in percent, 0-100).
"""

from __future__ import annotations

import math
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class ReportError(ValueError):
    """A report that cannot be read; the message says why and is safe to return to the caller."""


def _parse_xml(data: bytes, what: str, max_bytes: int) -> Element:
    if len(data) > max_bytes:
        raise ReportError(f"{what} is larger than the {max_bytes} byte limit")
    if not data.strip():
        raise ReportError(f"{what} is empty")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ReportError(f"{what} refused: DTDs, entities and external references are not allowed ({error})") from None
    except ParseError as error:
        raise ReportError(f"{what} is not well-formed XML: {error}") from None


# More tests than any suite runs; a larger counter is a broken or forged report.
MAX_COUNT = 10**9
_COUNTERS = ("tests", "failures", "errors", "skipped", "disabled")


def _count(suite: Element, attribute: str) -> int:
    """A suite's counter attribute: absent is 0; anything but a whole number from 0 to MAX_COUNT is refused."""
    raw = suite.get(attribute)
    if raw is None:
        return 0
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_COUNT:
        raise ReportError(
            f"JUnit report: <{suite.tag} {attribute}={raw[:40]!r}> must be a whole number from 0 to {MAX_COUNT}"
        )
    return int(text)


def parse_junit(data: bytes, max_bytes: int) -> dict[str, Any]:
    """Facts from a JUnit XML report (``<testsuites>`` or a single ``<testsuite>``)."""
    root = _parse_xml(data, "JUnit report", max_bytes)
    if root.tag not in ("testsuites", "testsuite"):
        raise ReportError(f"JUnit report: expected <testsuites> or <testsuite> at the root, found <{root.tag}>")
    # Counters are checked on every suite, even where the test cases are counted instead.
    for suite in (element for element in root.iter() if element.tag in ("testsuites", "testsuite")):
        for attribute in _COUNTERS:
            _count(suite, attribute)
    cases = list(root.iter("testcase"))
    if cases:
        failures = sum(1 for case in cases if case.find("failure") is not None)
        errors = sum(1 for case in cases if case.find("error") is not None and case.find("failure") is None)
        skipped = sum(1 for case in cases if case.find("skipped") is not None)
        total = len(cases)
    else:
        # No test cases listed: fall back on the suites' counters.
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite")) or [root]
        total = sum(_count(suite, "tests") for suite in suites)
        failures = sum(_count(suite, "failures") for suite in suites)
        errors = sum(_count(suite, "errors") for suite in suites)
        skipped = sum(_count(suite, "skipped" if "skipped" in suite.attrib else "disabled") for suite in suites)
    run = max(total - skipped, 0)
    return {
        "ci.tests_run": run,
        "ci.failures": failures,
        "ci.errors": errors,
        "ci.skipped": skipped,
        "ci.tests_passed": run > 0 and failures == 0 and errors == 0,
    }


def _percent(value: float, what: str) -> float:
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise ReportError(f"{what}: coverage must be between 0 and 100, got {value}")
    return round(value, 2)


def parse_coverage(data: bytes, max_bytes: int) -> dict[str, Any]:
    """``ci.coverage`` from a Cobertura XML report (``line-rate``) or a plain number (``85.5`` or ``85.5%``)."""
    text = data.strip()
    if text[:1] != b"<":
        if len(text) > 32:
            raise ReportError("coverage: expected a Cobertura XML report or a number such as 85.5")
        try:
            value = float(text.decode("ascii").removesuffix("%"))
        except (UnicodeDecodeError, ValueError):
            raise ReportError(f"coverage: expected a number such as 85.5, got {text[:32]!r}") from None
        return {"ci.coverage": _percent(value, "coverage")}
    root = _parse_xml(data, "Cobertura report", max_bytes)
    if root.tag != "coverage" or root.get("line-rate") is None:
        raise ReportError("Cobertura report: expected <coverage line-rate=...> at the root")
    try:
        rate = float(root.get("line-rate", ""))
    except ValueError:
        raise ReportError(f"Cobertura report: line-rate {root.get('line-rate')!r} is not a number") from None
    if not math.isfinite(rate) or not 0 <= rate <= 1:
        raise ReportError(f"Cobertura report: line-rate must be between 0 and 1, got {root.get('line-rate')}")
    return {"ci.coverage": _percent(rate * 100, "Cobertura report")}
