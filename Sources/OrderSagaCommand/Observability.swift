import Logging
import OTel
import ServiceLifecycle

/// Logging to standard error, and OpenTelemetry traces (OTLP over HTTP) when the standard `OTEL_*` variables ask
/// for them; off when they are unset.
enum Observability {
    /// Whether `environment` asks for traces: an OTLP endpoint or a traces exporter is named, and the SDK is not
    /// disabled.
    static func tracesRequested(_ environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if let exporter = environment["OTEL_TRACES_EXPORTER"] { return exporter.lowercased() != "none" }
        return environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
            || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
    }

    /// Bootstraps logging (at `level`, with the trace and span ids of the current span when tracing) and, when asked
    /// for, tracing; returns the exporter to run beside the service.
    static func bootstrap(environment: [String: String], logLevel level: Logger.Level) throws -> [any Service] {
        let traced = tracesRequested(environment)
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
                handler.logLevel = level
                return handler
            }, metadataProvider: traced ? OTel.makeLoggingMetadataProvider() : nil)
        guard traced else { return [] }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "order-saga"
        // Its own diagnostics only when something is wrong (OTEL_LOG_LEVEL may ask for more).
        configuration.diagnosticLogLevel = .warning
        // Metrics stay with Prometheus (/metrics) and logs on standard error; only traces are exported.
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        return [try OTel.bootstrap(configuration: configuration, environment: environment)]
    }
}
