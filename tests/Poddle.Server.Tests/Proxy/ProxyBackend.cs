using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Poddle.Server.Hosting;

namespace Poddle.Server.Tests.Proxy;

/// <summary>
/// A real app behind the proxy: Kestrel on a free loopback port that answers who it is, echoes the headers it got,
/// echoes WebSocket messages and streams server-sent events one at a time, as the test releases them.
/// </summary>
public sealed class ProxyBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private bool _stopped;

    private ProxyBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>Requests this backend answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completed by the test to let the SSE endpoint send its second event and end the stream.</summary>
    public TaskCompletionSource ReleaseSecondEvent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<ProxyBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new ProxyBackend(name, app);
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref backend._requests);
            return next(context);
        });
        app.UseWebSockets();
        app.MapGet("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        app.MapGet("/sse", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync($"data: first from {name}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await backend.ReleaseSecondEvent.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("data: second\n\n", context.RequestAborted);
        });
        app.MapGet("/framed", context =>
        {
            context.Response.Headers.XFrameOptions = "DENY";
            return context.Response.WriteAsync(name);
        });
        app.MapFallback(context =>
        {
            var request = context.Request;
            var lines = new[]
            {
                $"backend={name}",
                $"path={request.Path}",
                $"host={request.Headers.Host}",
                $"x-forwarded-for={request.Headers["X-Forwarded-For"]}",
                $"x-forwarded-proto={request.Headers["X-Forwarded-Proto"]}",
                $"x-forwarded-host={request.Headers["X-Forwarded-Host"]}",
            };
            return context.Response.WriteAsync(string.Join('\n', lines));
        });
        await app.StartAsync();
        backend.Port = new Uri(PoddleServer.ListeningAddresses(app).First()).Port;
        return backend;
    }

    /// <summary>Stops listening: new connections are refused, as when a replica's process dies.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            ReleaseSecondEvent.TrySetResult();
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
