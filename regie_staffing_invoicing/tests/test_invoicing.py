# Tests written in this session (issue 5).
