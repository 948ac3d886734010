# Written in this session (issue 5).
