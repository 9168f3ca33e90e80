"""Goals and satisfaction (issue 12): a pair's goals with milestones, kept live as cards in
its channel; and the short satisfaction form both people answer for the coordinators."""
