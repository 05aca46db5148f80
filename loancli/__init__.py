"""loancli: a command-line applicant simulator for Chinese consumer-loan apps."""

__version__ = "0.1.0"
