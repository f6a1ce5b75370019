"""Imported history: work orders that another system (a 12345 hotline export…) already finished, closed here at
once with the times in the file (``actions.close_historical``)."""
