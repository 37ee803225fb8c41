"""ExaRoutes data type `epc`: the EPC069-12 SEPA credit-transfer QR code (GiroCode)."""
from exaroutes_epc.datatype import EpcType

__all__ = ["EpcType"]
