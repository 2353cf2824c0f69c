"""`perfkit load`: Locust scenarios in a subprocess, exact timings, tier attribution, reports."""
