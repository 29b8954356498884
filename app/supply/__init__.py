"""Housing supply: the property register per authority, the homes behind the tenancies, and
the supply figures (issue 19). The property table itself is app/clients/properties.py."""
