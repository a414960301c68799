"""sheetcollect: decide who to chase for payment, from the invoice sheet you already keep."""

__version__ = "0.1.0"
