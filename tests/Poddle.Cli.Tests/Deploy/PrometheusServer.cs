using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Deploy;

/// <summary>
/// Debian's Prometheus (/usr/bin/prometheus) as a child process scraping one target every second, with its own
/// configuration and storage in a temporary directory and its HTTP API on a free loopback port. Disposing it kills
/// the process and deletes the directory.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    /// <summary>The scrape job's name: the alert rules expect Poddle's job to be named poddle (PoddleInstanceDown).</summary>
    public const string Job = "poddle";

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _log = new();
    private readonly Lock _gate = new();

    private PrometheusServer(Process process, DirectoryInfo directory, HttpClient http)
    {
        _process = process;
        _directory = directory;
        Http = http;
    }

    /// <summary>A client of Prometheus's HTTP API (base address: the server).</summary>
    public HttpClient Http { get; }

    /// <summary>What Prometheus logged (stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus scraping http://<paramref name="target"/>/metrics every second, once it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string target)
    {
        if (PrometheusTools.Missing is { } missing)
        {
            Assert.Fail(missing);
        }

        var directory = Directory.CreateTempSubdirectory("poddle-prometheus-");
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {Job}
                static_configs:
                  - targets: ['{target}']
            """);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(PrometheusTools.ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.FullName,
        };
        foreach (var arg in new[]
        {
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1h",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var server = new PrometheusServer(process, directory, http);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"prometheus exited early: {server.Log}");
                    }

                    try
                    {
                        using var ready = await http.GetAsync("/-/ready");
                        return ready.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                "prometheus is ready",
                TimeSpan.FromSeconds(60),
                () => Task.FromResult(server.Log));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An instant query (/api/v1/query): its result vector, or the error Prometheus gave (a parse error, say).</summary>
    public async Task<(JsonArray? Result, string? Error)> QueryAsync(string query)
    {
        using var response = await Http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (response.StatusCode != HttpStatusCode.OK || body["status"]?.GetValue<string>() != "success")
        {
            return (null, $"{(int)response.StatusCode} {body["errorType"]}: {body["error"]}");
        }

        var result = body["data"]?["result"];
        return (result as JsonArray ?? [], null);
    }

    /// <summary>How many series named <paramref name="metric"/> Prometheus has stored (/api/v1/series, the last hour).</summary>
    public async Task<int> SeriesCountAsync(string metric)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var response = await Http.GetAsync($"/api/v1/series?start={start}&match[]=" + Uri.EscapeDataString($"{{__name__=\"{metric}\"}}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"series of {metric}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["data"]!.AsArray().Count;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
            _directory.Delete(recursive: true);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _log.AppendLine(line);
        }
    }
}
