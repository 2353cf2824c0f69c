"""``perfkit latency``: browser versus curl per page, split into backend, network and frontend."""
