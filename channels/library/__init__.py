"""The resource library: folders of links and files that coordinators keep for each audience
(everyone, mentors, mentees, coordinators), opened and shared into conversations by the
people who may see them, and counted per week and role, never per person."""
