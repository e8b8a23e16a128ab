"""What travels on the wire: TLS records, pcap files, what a passive observer sees (issue 14).

- :mod:`.tls` — the simulated TLS 1.3 record layer (one model for everything below);
- :mod:`.flows` — a trace's connections as writes of octets, in clear or in records;
- :mod:`.pcap_export` — a trace as a pcap file for Wireshark/tshark.
"""
from __future__ import annotations

from .flows import Flow, Write, flows
from .pcap_export import node_addresses, to_pcap

__all__ = ["Flow", "Write", "flows", "node_addresses", "to_pcap"]
