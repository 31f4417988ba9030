"""Writes for credits, certificates and allowances.

Each service checks its rules under a lock and saves, all in one transaction; or it raises
ValidationError (keyed by the field to correct, NON_FIELD_ERRORS when no one field is at
fault) with a message naming the conflict, and writes nothing.
"""

from .allowances import record_allowance_transaction
from .certificates import add_energy_certificates
from .contracts import add_green_power_contract, record_settlement
from .credits import add_credit_batch, retire_credits, reverse_retirement

__all__ = [
    "add_credit_batch",
    "add_energy_certificates",
    "add_green_power_contract",
    "record_allowance_transaction",
    "record_settlement",
    "retire_credits",
    "reverse_retirement",
]
