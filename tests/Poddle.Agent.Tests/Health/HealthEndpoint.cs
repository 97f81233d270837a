using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Poddle.Agent.Tests.Health;

/// <summary>How the test app's /health answers.</summary>
public enum HealthMode
{
    Healthy,
    ServerError,
    Hang,
    WrongBody,

    /// <summary>Promises 1000 bytes, sends a few and drops the connection.</summary>
    BreakOff,
}

/// <summary>A real Kestrel app on a free port whose /health a test makes healthy, failing, hanging or wrong.</summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HealthEndpoint(WebApplication app)
    {
        _app = app;
    }

    public HealthMode Mode { get; set; }

    /// <summary>When set, the next this-many requests fail with 500 before <see cref="Mode"/> applies.</summary>
    public int FailNext { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    public Uri Url { get; private set; } = null!;

    public static async Task<HealthEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new HealthEndpoint(app);
        app.MapGet("/health", async context =>
        {
            Interlocked.Increment(ref endpoint._requests);
            if (endpoint.FailNext > 0)
            {
                endpoint.FailNext--;
                context.Response.StatusCode = 500;
                return;
            }

            switch (endpoint.Mode)
            {
                case HealthMode.Healthy:
                    await context.Response.WriteAsync("""{"status":"healthy"}""");
                    break;
                case HealthMode.ServerError:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("""{"status":"healthy"}""");
                    break;
                case HealthMode.WrongBody:
                    await context.Response.WriteAsync("""{"status":"starting"}""");
                    break;
                case HealthMode.BreakOff:
                    context.Response.ContentLength = 1000;
                    await context.Response.WriteAsync("""{"status":""");
                    await context.Response.Body.FlushAsync();
                    context.Abort();
                    break;
                case HealthMode.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
            }
        });
        await app.StartAsync();
        endpoint.Url = new Uri(new Uri(app.Urls.First()), "/health");
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
