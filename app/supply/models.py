"""The supply area's tables live in the clients area (a tenancy names its property and
clients sit below supply): app/clients/properties.py. Named here for the area's readers."""

from app.clients.properties import Property, PropertyReferenceCounter

__all__ = ["Property", "PropertyReferenceCounter"]
