"""cXML: the documents that start a stream from a call's webhook."""
