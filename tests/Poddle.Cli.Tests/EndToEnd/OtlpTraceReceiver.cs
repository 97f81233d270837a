using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// An OTLP/HTTP trace receiver, the part of a collector (Jaeger, Tempo, the OpenTelemetry collector) the server's exporter
/// talks to: Kestrel on a free loopback port accepting POST /v1/traces with a protobuf ExportTraceServiceRequest, answering
/// 200 with an empty ExportTraceServiceResponse. It keeps every span it received (the few fields the tests read, decoded
/// from the wire format: no generated protobuf classes are served here).
/// </summary>
internal sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpTraceReceiver(WebApplication app) => _app = app;

    /// <summary>The receiver's base URL (what Telemetry:OtlpEndpoint or OTEL_EXPORTER_OTLP_ENDPOINT name).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int Requests => _requests;

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    private int _requests;

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task ReceiveAsync(HttpContext context)
    {
        if (context.Request.ContentType != "application/x-protobuf")
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Interlocked.Increment(ref _requests);
        foreach (var span in OtlpSpan.Decode(body.ToArray()))
        {
            Spans.Enqueue(span);
        }

        context.Response.ContentType = "application/x-protobuf";
    }
}
