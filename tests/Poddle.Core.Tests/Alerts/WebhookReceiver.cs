using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Poddle.Testing;

namespace Poddle.Core.Tests.Alerts;

/// <summary>
/// A real webhook receiver: Kestrel on a free port of 127.0.0.1, recording each POST's path and JSON body and answering
/// with <see cref="Status"/> (or, while <see cref="FailNext"/> is above zero, 500 for that many requests).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failNext;

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<(string Path, JsonElement Body, int Answered)> Requests { get; } = new();

    public int Status { get; set; } = 204;

    /// <summary>Requests still to answer 500.</summary>
    public int FailNext
    {
        get => Volatile.Read(ref _failNext);
        set => Volatile.Write(ref _failNext, value);
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The bodies that reached <paramref name="path"/> and were answered 2xx.</summary>
    public IReadOnlyList<JsonElement> Accepted(string path) => [.. Requests.Where(r => r.Path == path && r.Answered < 300).Select(r => r.Body)];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, port);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var status = Interlocked.Decrement(ref receiver._failNext) >= 0 ? 500 : receiver.Status;
            receiver.Requests.Enqueue((context.Request.Path.Value ?? string.Empty, body.RootElement.Clone(), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
