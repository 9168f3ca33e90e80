"""Three ready questionnaires a coordinator can start from: the intake at the start of a
pairing (what do you want to achieve), the midpoint, and the end of the pairing.  Starting
from one makes a draft copy to change as one likes, in the coordinator's language when the page
gives its words (`Starter.translated`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from channels.languages import N_


@dataclass(frozen=True)
class Starter:
    key: str
    title: str
    intro: str
    for_whom: str  # a hint for the coordinator: who it suits
    questions: tuple[dict[str, Any], ...]

    def translated(self, words: Callable[[str], str]) -> Starter:
        """The same questionnaire in a reader's language: `words` translates each of its texts
        (they are marked for the catalogues where they are written)."""
        return replace(
            self,
            title=words(self.title),
            intro=words(self.intro),
            for_whom=words(self.for_whom),
            questions=tuple(
                {**q, "prompt": words(q["prompt"]), "options": [words(o) for o in q["options"]]}
                for q in self.questions
            ),
        )


def _q(
    kind: str, prompt: str, options: tuple[str, ...] = (), required: bool = True
) -> dict[str, Any]:
    return {"kind": kind, "prompt": prompt, "options": list(options), "required": required}


STARTERS = {
    "intake": Starter(
        "intake",
        N_("Welcome: what do you want to achieve?"),
        N_(
            "Before you start, tell us what you hope to get out of the programme. Your answers help "
            "your coordinators support you, and help you and your partner agree on your first goal."
        ),
        N_("mentees (or both) at the start of their pairing"),
        (
            _q("long_text", N_("What do you most want to achieve in the programme?")),
            _q(
                "multiple",
                N_("Which of these would you like to work on?"),
                (
                    N_("My CV and applications"),
                    N_("Job interviews"),
                    N_("My network"),
                    N_("Confidence"),
                    N_("Finding my direction"),
                    N_("Skills for a new field"),
                ),
            ),
            _q(
                "scale",
                N_("How confident are you today that you will reach it?"),
                (N_("Not at all"), N_("Very confident")),
            ),
            _q(
                "single",
                N_("How often would you like to meet?"),
                (N_("Every week"), N_("Every two weeks"), N_("Once a month")),
            ),
            _q(
                "long_text",
                N_("Is there anything else your coordinators should know?"),
                required=False,
            ),
        ),
    ),
    "midpoint": Starter(
        "midpoint",
        N_("Halfway: how is it going?"),
        N_(
            "You are halfway through your pairing. A few questions on how it is going, so we can "
            "help where it is needed."
        ),
        N_("mentors and mentees halfway through"),
        (
            _q("scale", N_("How well is your mentoring going?"), (N_("Not well"), N_("Very well"))),
            _q(
                "single",
                N_("How often have you been in touch?"),
                (
                    N_("Every week"),
                    N_("Every two weeks"),
                    N_("About once a month"),
                    N_("Less often"),
                ),
            ),
            _q(
                "scale",
                N_("How much progress have you made toward the goal you set?"),
                (N_("None yet"), N_("A lot")),
            ),
            _q("long_text", N_("What has helped most so far?"), required=False),
            _q(
                "short_text",
                N_("Is there anything you need from your coordinators?"),
                required=False,
            ),
        ),
    ),
    "end": Starter(
        "end",
        N_("The end of your pairing"),
        N_(
            "Your pairing has come to an end. Thank you for taking part! Please tell us how it went: "
            "it helps us improve the programme for the next people."
        ),
        N_("both people of pairs that are ending"),
        (
            _q(
                "single",
                N_("Did you reach the goal you set at the start?"),
                (N_("Yes"), N_("Partly"), N_("Not yet"), N_("The goal changed")),
            ),
            _q(
                "scale",
                N_("How satisfied are you with the mentoring relationship?"),
                (N_("Not at all"), N_("Very satisfied")),
            ),
            _q(
                "scale",
                N_("How much did the programme help you move forward?"),
                (N_("Not at all"), N_("A lot")),
            ),
            _q("long_text", N_("What was the most valuable part?"), required=False),
            _q(
                "single",
                N_("Would you recommend the programme to others?"),
                (N_("Yes"), N_("Maybe"), N_("No")),
            ),
            _q("long_text", N_("What should we change?"), required=False),
        ),
    ),
}
