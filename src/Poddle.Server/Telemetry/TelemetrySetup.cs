using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Poddle.Core.Pools;

namespace Poddle.Server.Telemetry;

/// <summary>
/// The OpenTelemetry pipeline: traces of the pools' jobs (<see cref="PoolTracing.SourceName"/>) and of ASP.NET Core
/// requests, exported over OTLP. Registered only when an endpoint is configured (Telemetry:OtlpEndpoint, or the
/// standard OTEL_EXPORTER_OTLP_ENDPOINT, whose OTEL_EXPORTER_OTLP_* companions the exporter then reads itself): with
/// none, no listener exists and the job spans cost nothing.
/// </summary>
internal static class TelemetrySetup
{
    /// <summary>The standard variable (OpenTelemetry's specification) naming the collector.</summary>
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddPoddleTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        var configured = configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.OtlpEndpoint)}"];
        var standard = configuration[StandardEndpointVariable];
        if (string.IsNullOrWhiteSpace(configured) && string.IsNullOrWhiteSpace(standard))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.ServiceName)}"] is { Length: > 0 } name ? name : "poddle"))
            .WithTracing(tracing => tracing
                .AddSource(PoolTracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter());

        // The option wins over the variable; validated at start, so a bad value stops the server before anything is sent.
        services.AddOptions<OtlpExporterOptions>().Configure<IOptions<TelemetryOptions>>((exporter, telemetry) =>
        {
            if (telemetry.Value.OtlpEndpoint is not { } endpoint)
            {
                return;
            }

            if (telemetry.Value.OtlpProtocol == TelemetryOptions.Grpc)
            {
                exporter.Protocol = OtlpExportProtocol.Grpc;
                exporter.Endpoint = endpoint;
            }
            else
            {
                // Set in code, the HTTP endpoint is the full URL: the signal's path is not appended as it is for the variable.
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/traces");
            }
        });
        return services;
    }
}
