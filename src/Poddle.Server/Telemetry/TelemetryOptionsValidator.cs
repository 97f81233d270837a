using Microsoft.Extensions.Options;

namespace Poddle.Server.Telemetry;

/// <summary>Names the configuration key of every bad value so the operator knows what to fix.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        const string Section = TelemetryOptions.SectionName;
        if (options.OtlpEndpoint is { } endpoint
            && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment)))
        {
            failures.Add($"{Section}:{nameof(TelemetryOptions.OtlpEndpoint)} must be an absolute http(s) URL with no query, e.g. http://collector:4318 (got {endpoint}).");
        }

        if (options.OtlpProtocol is not (TelemetryOptions.HttpProtobuf or TelemetryOptions.Grpc))
        {
            failures.Add($"{Section}:{nameof(TelemetryOptions.OtlpProtocol)} must be {TelemetryOptions.HttpProtobuf} or {TelemetryOptions.Grpc} (got {options.OtlpProtocol}).");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName) || options.ServiceName.Length > 100)
        {
            failures.Add($"{Section}:{nameof(TelemetryOptions.ServiceName)} must be 1 to 100 characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
