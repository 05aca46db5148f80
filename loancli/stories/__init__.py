"""Reproductions as data: tickets (a record's runs, bundled to replay anywhere) and, built on
the same actions, stories. Everything here runs through :mod:`loancli.api.operations`, never
the CLI."""
