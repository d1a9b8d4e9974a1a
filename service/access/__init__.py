"""Who may do what: the one policy table of every route and page, and class scoping."""
