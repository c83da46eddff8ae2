// JSONValue types the members whose shape the client does not fix, so every user of the client sees it too.
@_exported import JSONValues
