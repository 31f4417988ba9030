"""Errors a job's function raises to say, in a person's words, why it did nothing."""


class JobRefused(Exception):
    """The job found a reason not to run (a state changed since it was queued, say).

    Its text is written to the job's message as it is, for the person who started it; any
    other exception is a fault, reported with its type for whoever investigates.
    """
