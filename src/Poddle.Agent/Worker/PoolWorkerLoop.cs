using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Poddle.Agent.Worker;

/// <summary>
/// `poddle agent --worker -- cmd`: a pool worker for people who do not use RunPod's SDK. It speaks RunPod's worker
/// protocol the way runpod-python does (job-take with "&amp;job_in_progress=0|1", job-done, pings every
/// RUNPOD_PING_INTERVAL, the key raw in Authorization) and runs <see cref="JobProcess"/> once per job. While a job runs it
/// long-polls Poddle's job-stop for it and kills the command when the job was cancelled or timed out on the server.
/// A stop (SIGTERM) ends the loop after the job in hand: no new job is taken, the one running finishes and its result
/// is posted. One job at a time.
/// </summary>
public sealed partial class PoolWorkerLoop(WorkerEnvironment environment, JobProcess process, HttpClient http, ILogger logger, TimeProvider time)
{
    /// <summary>Exit code when the server refuses the worker's key (the worker was ended, or the key is wrong): EX_NOPERM.</summary>
    public const int KeyRefused = 77;

    /// <summary>The longest a job-take may be held by the server before the worker gives up on that request.</summary>
    public static readonly TimeSpan TakeTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Attempts to post one result (the first and the retries).</summary>
    public const int PostAttempts = 5;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private string? _current;

    /// <summary>Jobs run so far.</summary>
    public int Completed { get; private set; }

    /// <summary>Runs until <paramref name="stop"/> (then finishes the job in hand) or until the key is refused; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        LogStarted(logger, environment.WorkerId, environment.PingInterval.TotalMilliseconds);
        using var pinging = new CancellationTokenSource();
        var pings = environment.PingUrl is null ? Task.CompletedTask : PingLoopAsync(pinging.Token);
        var exit = 0;
        var backoff = TimeSpan.Zero;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                WorkerJob? job;
                try
                {
                    job = await TakeAsync(stop);
                    backoff = TimeSpan.Zero;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (KeyRefusedException)
                {
                    LogKeyRefused(logger, environment.WorkerId);
                    exit = KeyRefused;
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    LogTakeFailed(logger, ex.Message, backoff.TotalSeconds);
                    try
                    {
                        await Task.Delay(backoff, time, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                if (job is not null)
                {
                    // The job in hand runs to its end whatever `stop` says: a stop ends the loop after it.
                    await RunJobAsync(job);
                }
            }
        }
        finally
        {
            await pinging.CancelAsync();
            await pings;
        }

        LogStopped(logger, environment.WorkerId, Completed);
        return exit;
    }

    private async Task RunJobAsync(WorkerJob job)
    {
        Volatile.Write(ref _current, job.Id);
        using var cancelled = new CancellationTokenSource();
        using var watching = new CancellationTokenSource();
        var watcher = environment.StopUrl is null ? Task.CompletedTask : WatchStopAsync(job.Id, cancelled, watching.Token);
        LogJobTaken(logger, job.Id);
        var outcome = await process.RunAsync(job.InputJson, job.ExecutionTimeout, cancelled.Token);
        await watching.CancelAsync();
        await watcher;
        Completed++;
        if (WorkerResultBody.For(outcome, job.ExecutionTimeout) is { } body)
        {
            await PostResultAsync(job.Id, body);
        }
        else
        {
            LogJobStopped(logger, job.Id);
        }

        Volatile.Write(ref _current, null);
    }

    private async Task<WorkerJob?> TakeAsync(CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TakeTimeout);
        using var request = Request(HttpMethod.Get, WorkerEnvironment.WithQuery(environment.TakeUrl, "job_in_progress=0"));
        using var response = await http.SendAsync(request, timeout.Token);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new KeyRefusedException();
        }

        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            // A batch answer (job-take-batch): this worker asked for one.
            root = root.EnumerateArray().FirstOrDefault();
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("The job has no id.");
        }

        var input = root.TryGetProperty("input", out var i) ? i.GetRawText() : "null";
        TimeSpan? limit = root.TryGetProperty("executionTimeout", out var t) && t.TryGetInt64(out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
        return new WorkerJob(id.GetString()!, input, limit);
    }

    private async Task PostResultAsync(string jobId, string body)
    {
        var url = WorkerEnvironment.WithQuery(environment.OutputUrl.Replace("$ID", Uri.EscapeDataString(jobId), StringComparison.Ordinal), "isStream=false");
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = Request(HttpMethod.Post, url);
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
                using var response = await http.SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode || (int)response.StatusCode is >= 400 and < 500)
                {
                    // A 4xx will not change on a retry (too large, key refused): say so and go on.
                    if (!response.IsSuccessStatusCode)
                    {
                        LogPostRefused(logger, jobId, (int)response.StatusCode);
                    }

                    return;
                }

                LogPostFailed(logger, jobId, attempt, "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                LogPostFailed(logger, jobId, attempt, ex.Message);
            }

            if (attempt == PostAttempts)
            {
                return;
            }

            await Task.Delay(delay, time, CancellationToken.None);
            delay *= 2;
        }
    }

    /// <summary>Long-polls job-stop for the job; cancels <paramref name="cancelled"/> when the server says it was stopped.</summary>
    private async Task WatchStopAsync(string jobId, CancellationTokenSource cancelled, CancellationToken watching)
    {
        var url = new Uri(environment.StopUrl!.Replace("$ID", Uri.EscapeDataString(jobId), StringComparison.Ordinal));
        while (!watching.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(watching);
                timeout.CancelAfter(TakeTimeout);
                using var request = Request(HttpMethod.Get, url);
                using var response = await http.SendAsync(request, timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    LogStopAsked(logger, jobId);
                    await cancelled.CancelAsync();
                    return;
                }

                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (watching.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The server is away for a moment: the job's own timeout still holds; ask again shortly.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, watching);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PingLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(environment.PingInterval, time);
        try
        {
            do
            {
                var job = Volatile.Read(ref _current) ?? string.Empty;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    timeout.CancelAfter(environment.PingInterval);
                    using var request = Request(HttpMethod.Get, WorkerEnvironment.WithQuery(environment.PingUrl!, "job_id=" + Uri.EscapeDataString(job) + "&runpod_version=poddle-agent"));
                    using var response = await http.SendAsync(request, timeout.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        LogPingRefused(logger, (int)response.StatusCode);
                    }
                }
                catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !stop.IsCancellationRequested)
                {
                    LogPingFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("Authorization", environment.Key);
        return request;
    }

    private sealed class KeyRefusedException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} taking jobs (pings every {PingMs} ms)")]
    private static partial void LogStarted(ILogger logger, string workerId, double pingMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} taken")]
    private static partial void LogJobTaken(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} was cancelled or timed out on the server: its command was stopped")]
    private static partial void LogStopAsked(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} stopped: no result posted")]
    private static partial void LogJobStopped(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking a job failed ({Reason}); trying again in {Seconds} s")]
    private static partial void LogTakeFailed(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId}: the server refused its key (the worker was ended); exiting")]
    private static partial void LogKeyRefused(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Posting the result of job {JobId} failed (attempt {Attempt}): {Reason}")]
    private static partial void LogPostFailed(ILogger logger, string jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server refused the result of job {JobId}: HTTP {Status}")]
    private static partial void LogPostRefused(ILogger logger, string jobId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ping answered HTTP {Status}")]
    private static partial void LogPingRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ping failed: {Reason}")]
    private static partial void LogPingFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped after {Jobs} jobs")]
    private static partial void LogStopped(ILogger logger, string workerId, int jobs);
}
