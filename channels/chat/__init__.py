"""Chat: posting and changing messages, reading them back (history, sync, threads, read state), and the channels each person sees."""
