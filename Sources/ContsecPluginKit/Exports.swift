@_exported import ContsecProtocol
