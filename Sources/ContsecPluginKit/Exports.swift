// Plugin authors import ContsecPluginKit alone and get the wire types (Finding, Action, Severity...) with it.
@_exported import ContsecProtocol
