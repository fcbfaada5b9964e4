"""One module per Admin API resource."""

from .customers import CustomersStream

STREAMS = [CustomersStream]
