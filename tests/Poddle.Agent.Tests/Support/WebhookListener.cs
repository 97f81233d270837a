using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Poddle.Testing;

namespace Poddle.Agent.Tests.Support;

/// <summary>A real local HTTP endpoint (HttpListener) that records every request and answers with a chosen status.</summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    private WebhookListener(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook/secret-key");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The status the next requests get (200 by default).</summary>
    public int Status { get; set; } = 200;

    /// <summary>Hold each answer this long (a hanging webhook).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public static WebhookListener Start(int? port = null) => new(port ?? FreePort());

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived (at most <paramref name="timeout"/>).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(int count, TimeSpan timeout)
    {
        await Poll.UntilAsync(() => Requests.Count >= count, $"{count} webhook requests arrive", timeout, () => $"{Requests.Count} arrived");
        return [.. Requests];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Close alone: Stop then Close unregisters the prefix twice, and the second may trip over a reused port.
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }

        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? string.Empty, context.Request.Headers["Authorization"], body, DateTime.UtcNow));
                if (Delay > TimeSpan.Zero)
                {
                    // A slow webhook, as a test configures it: the behaviour under test, not a wait.
                    await Task.Delay(Delay);
                }

                context.Response.StatusCode = Status;
                var answer = Encoding.UTF8.GetBytes("{\"intervalSeconds\":30}");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            });
        }
    }
}

public sealed record RecordedRequest(string Method, string Path, string? Authorization, string Body, DateTime At);
