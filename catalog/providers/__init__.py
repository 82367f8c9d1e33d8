"""Entity providers: readers of an outside system (an LDAP directory, a forge's API) that return the
whole set of entities they own. ``base`` holds the contract every provider implements; the catalog's
services apply each run as one full mutation."""
