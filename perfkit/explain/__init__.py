"""Query plans: the database's own EXPLAIN of chosen statements, read into index advice."""
