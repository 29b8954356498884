"""Fidelity to the Housing First principles: each authority's half-yearly self-assessment,
moderated and agreed by the programme manager, and indicators from the data already held."""
