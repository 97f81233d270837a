using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

// Engine failures as PodDriverExceptions: unreachable (DriverUnavailable), out of resources, or other, with the
// engine's own message (which names ids and images, never env values).
public sealed partial class DockerPodDriver
{
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PodDriverException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (IsUnavailable(ex, CancellationToken.None))
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"docker engine unreachable at {_options.Endpoint}: {DescribeUnavailable(ex)}", ex);
        }
        catch (DockerApiException ex) when (IsResourceError(ex))
        {
            throw new PodDriverException(PodFailureKind.InsufficientResources, $"docker: {Describe(ex)}", ex);
        }
        catch (DockerApiException ex)
        {
            throw new PodDriverException(PodFailureKind.Other, $"docker: {Describe(ex)}", ex);
        }
    }

    private static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or SocketException or IOException or TimeoutException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        || (ex is DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway });

    private static bool IsResourceError(DockerApiException ex) =>
        ex.ResponseBody is { } body
        && (body.Contains("Range of CPUs", StringComparison.OrdinalIgnoreCase)
            || body.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
            || body.Contains("Minimum memory limit", StringComparison.OrdinalIgnoreCase)
            || body.Contains("cannot allocate memory", StringComparison.OrdinalIgnoreCase));

    private static string Describe(Exception ex)
    {
        if (ex is DockerApiException api)
        {
            // The engine's message is JSON ({"message": "..."}); it names ids and images, never env values.
            try
            {
                using var doc = JsonDocument.Parse(api.ResponseBody ?? string.Empty);
                if (doc.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
            }

            return $"HTTP {(int)api.StatusCode}";
        }

        var innermost = ex;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    private string DescribeUnavailable(Exception ex) =>
        _options.Endpoint.IsUnc || !_options.Endpoint.Scheme.Equals("unix", StringComparison.OrdinalIgnoreCase) || File.Exists(_options.Endpoint.AbsolutePath)
            ? Describe(ex)
            : $"no socket at {_options.Endpoint.AbsolutePath} (is dockerd running?)";

    private static PodDriverException NotFound(PodHandle handle, Exception? inner) =>
        new(PodFailureKind.Other, $"docker: no container {handle.PodId}", inner);

    private static void CheckHandle(PodHandle handle)
    {
        if (handle.Driver != DriverName)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"a handle of driver '{handle.Driver}' given to the docker driver");
        }
    }
}
