"""Three ready questionnaires a coordinator can start from: the intake at the start of a
pairing (what do you want to achieve), the midpoint, and the end of the pairing.  Starting
from one makes a draft copy to change as one likes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Starter:
    key: str
    title: str
    intro: str
    for_whom: str  # a hint for the coordinator: who it suits
    questions: tuple[dict[str, Any], ...]


def _q(
    kind: str, prompt: str, options: tuple[str, ...] = (), required: bool = True
) -> dict[str, Any]:
    return {"kind": kind, "prompt": prompt, "options": list(options), "required": required}


STARTERS = {
    "intake": Starter(
        "intake",
        "Welcome: what do you want to achieve?",
        "Before you start, tell us what you hope to get out of the programme. Your answers help "
        "your coordinators support you, and help you and your partner agree on your first goal.",
        "mentees (or both) at the start of their pairing",
        (
            _q("long_text", "What do you most want to achieve in the programme?"),
            _q(
                "multiple",
                "Which of these would you like to work on?",
                (
                    "My CV and applications",
                    "Job interviews",
                    "My network",
                    "Confidence",
                    "Finding my direction",
                    "Skills for a new field",
                ),
            ),
            _q(
                "scale",
                "How confident are you today that you will reach it?",
                ("Not at all", "Very confident"),
            ),
            _q(
                "single",
                "How often would you like to meet?",
                ("Every week", "Every two weeks", "Once a month"),
            ),
            _q(
                "long_text", "Is there anything else your coordinators should know?", required=False
            ),
        ),
    ),
    "midpoint": Starter(
        "midpoint",
        "Halfway: how is it going?",
        "You are halfway through your pairing. A few questions on how it is going, so we can "
        "help where it is needed.",
        "mentors and mentees halfway through",
        (
            _q("scale", "How well is your mentoring going?", ("Not well", "Very well")),
            _q(
                "single",
                "How often have you been in touch?",
                ("Every week", "Every two weeks", "About once a month", "Less often"),
            ),
            _q(
                "scale",
                "How much progress have you made toward the goal you set?",
                ("None yet", "A lot"),
            ),
            _q("long_text", "What has helped most so far?", required=False),
            _q("short_text", "Is there anything you need from your coordinators?", required=False),
        ),
    ),
    "end": Starter(
        "end",
        "The end of your pairing",
        "Your pairing has come to an end. Thank you for taking part! Please tell us how it went: "
        "it helps us improve the programme for the next people.",
        "both people of pairs that are ending",
        (
            _q(
                "single",
                "Did you reach the goal you set at the start?",
                ("Yes", "Partly", "Not yet", "The goal changed"),
            ),
            _q(
                "scale",
                "How satisfied are you with the mentoring relationship?",
                ("Not at all", "Very satisfied"),
            ),
            _q(
                "scale",
                "How much did the programme help you move forward?",
                ("Not at all", "A lot"),
            ),
            _q("long_text", "What was the most valuable part?", required=False),
            _q(
                "single",
                "Would you recommend the programme to others?",
                ("Yes", "Maybe", "No"),
            ),
            _q("long_text", "What should we change?", required=False),
        ),
    ),
}
