import CMongoc

extension MongoError {
    /// Classifies a libmongoc error together with the server's reply, when there is one.
    init(driverError error: bson_error_t, reply: Document? = nil) {
        let message = Self.message(of: error)
        let domain = error.domain
        let code = Int(error.code)
        let codeName = reply?["codeName"]?.stringValue
        let labels = reply?["errorLabels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let keyValue = reply.flatMap(Self.keyValue(in:))

        let kind: Kind
        switch domain {
        case MONGOC_ERROR_STREAM.rawValue:
            kind = Self.looksLikeTimeout(message) ? .timeout : .network
        case MONGOC_ERROR_SERVER_SELECTION.rawValue:
            kind = .serverSelection
        case MONGOC_ERROR_WRITE_CONCERN.rawValue:
            kind = .writeConcern
        case MONGOC_ERROR_BSON.rawValue:
            kind = .bson
        case MONGOC_ERROR_SASL.rawValue, MONGOC_ERROR_SCRAM.rawValue:
            kind = .authentication
        case MONGOC_ERROR_CLIENT.rawValue:
            kind = code == Int(MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue) ? .authentication : .driver
        case MONGOC_ERROR_COMMAND.rawValue where code == Int(MONGOC_ERROR_COMMAND_INVALID_ARG.rawValue):
            kind = .invalidArgument
        case MONGOC_ERROR_SERVER.rawValue, MONGOC_ERROR_QUERY.rawValue, MONGOC_ERROR_COMMAND.rawValue,
            MONGOC_ERROR_COLLECTION.rawValue, MONGOC_ERROR_INSERT.rawValue:
            kind = Self.kind(ofServerCode: code, message: message)
        default:
            kind = .driver
        }
        self.init(kind, code: code, codeName: codeName, message: message, labels: labels, keyValue: keyValue)
    }

    /// The kind of a server error code.
    static func kind(ofServerCode code: Int, message: String) -> Kind {
        switch code {
        case 11000, 11001, 12582: return .duplicateKey
        case 112: return .writeConflict
        case 50, 89, 202, 262: return .timeout
        case 6, 7, 9001: return .network
        case 18, 13: return .authentication
        default: return .command
        }
    }

    static func message(of error: bson_error_t) -> String {
        var copy = error
        return withUnsafeBytes(of: &copy.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    static func looksLikeTimeout(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("timed out") || lowered.contains("timeout")
    }

    /// The duplicate key's `keyValue`, from the reply or its first write error.
    static func keyValue(in reply: Document) -> Document? {
        if let value = reply["keyValue"]?.documentValue { return value }
        if let first = reply["writeErrors"]?.arrayValue?.first?.documentValue {
            return first["keyValue"]?.documentValue
        }
        return nil
    }
}
