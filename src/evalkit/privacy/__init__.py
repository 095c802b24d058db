"""Privacy: the identifier guard, keys and keyed pseudonyms."""
