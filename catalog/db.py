"""Database helpers the ORM does not have.

``field__any=[...]`` matches any value of a list, like ``__in``, but on PostgreSQL sends the whole
list as one array parameter (``= ANY(%s)``): with hundreds of refs, psycopg's client-side binding
of an IN list (one placeholder per value) cost more than the query itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup


@models.CharField.register_lookup
@models.TextField.register_lookup
@models.UUIDField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        values = [self.lhs.output_field.get_db_prep_value(item, connection) for item in value]
        return "%s", [values]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        values = rhs_params[0]
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
