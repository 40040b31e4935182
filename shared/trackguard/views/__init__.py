"""Read models: what a seller is shown of its flags and orders, by the seller API and in the reports alike.

They sit below both (trackguard.api and trackguard.reports import them; they import only the domain), so
neither imports the other to share a shape.
"""

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    """An answer's shape: frozen, built from domain objects by each model's own ``from_…`` constructor."""

    model_config = ConfigDict(frozen=True)
