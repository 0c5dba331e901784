"""The HTTP face: the Flask app factory (``app``), one module per blueprint (``sparql``,
``querypage``, ``linkeddata``, ``pages``, ``shacl``), request context and errors (``context``,
``middleware``), fair use and the result cache, and the WSGI server (``server``)."""
