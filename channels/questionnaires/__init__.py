"""Questionnaires (issue 12): coordinators build them (questions), say who is asked and when
(audience), people answer them (answering), the programme posts their cards and reminds the
unanswered (delivery), and coordinators read the results (results); starters are the ready
templates, wire how all of it looks as JSON."""
