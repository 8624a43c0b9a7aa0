"""Evidence intake: sniff formats, read sheets safely, find headers, normalise values, account for every row."""
