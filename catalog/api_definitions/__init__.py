"""An API entity's definition (``spec.definition``) made readable on its Definition tab.

OpenAPI documents are turned into a browsable outline (operations by tag, parameters, bodies,
responses, schemas); AsyncAPI documents into their channels, operations and messages; GraphQL,
protobuf and anything else are shown highlighted. Definitions are hostile input: size, depth and
node counts are capped, ``$ref``s are resolved only inside the document, and a document that
cannot be read is shown as its source with a note naming the problem.
"""

from .tab import definition_context, is_api

__all__ = ["definition_context", "is_api"]
