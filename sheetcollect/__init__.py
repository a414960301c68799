"""sheetcollect: decide who to chase for payment, from the invoice sheet a bookkeeper already keeps."""

__version__ = "0.1.0"
