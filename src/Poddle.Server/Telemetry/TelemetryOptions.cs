namespace Poddle.Server.Telemetry;

/// <summary>
/// OpenTelemetry trace export (section "Telemetry"). Off unless an OTLP endpoint is configured here or in the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT variable, so an embedded server sends nothing anywhere.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OTLP/HTTP protocol value (the exporter posts protobuf to {endpoint}/v1/traces).</summary>
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>OTLP/gRPC protocol value (the endpoint is the collector's gRPC address, usually port 4317).</summary>
    public const string Grpc = "grpc";

    /// <summary>The collector's base URL (Jaeger, Tempo, an OpenTelemetry collector), e.g. http://collector:4318; null: not exported here.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><see cref="HttpProtobuf"/> (default) or <see cref="Grpc"/>, for <see cref="OtlpEndpoint"/>.</summary>
    public string OtlpProtocol { get; set; } = HttpProtobuf;

    /// <summary>The service.name resource attribute the traces carry.</summary>
    public string ServiceName { get; set; } = "poddle";
}
