"""What only one source reports: one implementation for `readouts compare` and the web UI."""
from __future__ import annotations

import pytest

from readouts.compare import issue_texts, only_here, statement_lines


@pytest.mark.parametrize(("texts", "expected"), [
    ([["energy", "the Western Balkans."]], [[]]),  # one source: nothing is "only here"
    ([["energy", "the Western Balkans."], ["Energy", "tourism"]], [["the Western Balkans."], ["tourism"]]),
    ([["Western Balkans"], ["western balkans"], ["wine exports"]], [[], [], ["wine exports"]]),
    ([["Café-culture"], ["cafe culture"]], [[], []]),  # accents and punctuation aside
    ([[], ["a"]], [[], ["a"]]),
    ([], []),
])
def test_only_here(texts, expected):
    assert only_here(texts) == expected


READOUT = {
    "statements": [
        {"speaker": "Tomas Varga", "span": {"text": "Hungary is  ready\nto act."}, "issues": ["energy security"]},
        {"speaker": None, "speaker_country": "AUT", "span": {"text": "Austria agrees."}, "issues": []},
        {"span": None, "issues": ["energy security", "Danube shipping"]},
    ],
    "issues": [{"text": "border   management"}, {"text": None}],
}


def test_statement_lines_and_issues():
    assert statement_lines(READOUT) == ["Tomas Varga: Hungary is ready to act.", "AUT: Austria agrees.", "?: "]
    assert issue_texts(READOUT) == ["border management", "energy security", "Danube shipping"]
    assert statement_lines({}) == [] and issue_texts({}) == []
