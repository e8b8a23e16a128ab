"""HTTP/1.1 (RFC 9110, RFC 9112) on h11: the server and client engines.

h11 parses and frames the bytes; this package adds the state table as data,
explanations, the transcript, a static site and the browser (see
``server.py`` for the split).
"""
from .client import Browser, Exchange, HTTPClient, Step, serialize
from .events import RequestReceived, ResponseReceived, ResponseSent
from .message import FORM_TYPE, Request, Response, encode_form, media_type
from .server import HTTPConfig, HTTPServer, Site
from .static import Page, StaticSite, not_modified

#: The port of HTTP (RFC 9110 §4.2.1).
PORT = 80

__all__ = ["FORM_TYPE", "PORT", "Browser", "Exchange", "HTTPClient", "HTTPConfig", "HTTPServer",
           "Page", "Request", "RequestReceived", "Response", "ResponseReceived", "ResponseSent",
           "Site", "StaticSite", "Step", "encode_form", "media_type", "not_modified", "serialize"]
