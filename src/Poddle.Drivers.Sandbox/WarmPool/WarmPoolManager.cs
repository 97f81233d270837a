using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.WarmPool;

/// <summary>
/// Keeps prepared sandboxes ready per language. One background loop refills pools below their target (at most
/// <see cref="WarmPoolOptions.MaxConcurrentPreparations"/> at once, emptiest pool first), recycles sandboxes older than
/// <see cref="WarmPoolOptions.MaxIdle"/>, and shrinks pools nobody asked of for <see cref="WarmPoolOptions.ShrinkAfter"/>.
/// The end of a warm run, or a miss, wakes the loop. Disposal stops the loop and kills every prepared sandbox.
/// </summary>
internal sealed partial class WarmPoolManager : IAsyncDisposable
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly SandboxRunner _runner;
    private readonly WarmPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, LanguagePool> _pools;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _inFlightLock = new();
    private readonly HashSet<Task> _inFlight = [];
    private Task? _loop;

    public WarmPoolManager(SandboxRunner runner, WarmPoolOptions options, IEnumerable<PoolSpec> specs, TimeProvider time, ILogger logger)
    {
        _runner = runner;
        _options = options;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentPreparations);
        var now = time.GetTimestamp();
        _pools = specs.ToDictionary(
            s => s.Language, s => new LanguagePool(s, options.MinPerLanguage, options.MaxPerLanguage, now), StringComparer.Ordinal);
    }

    public void Start() => _loop ??= Task.Run(LoopAsync);

    public bool Has(string language) => _pools.ContainsKey(language);

    /// <summary>A ready sandbox of the language, or null (a miss: the caller starts cold, the pool grows).</summary>
    public PreparedSandbox? TryTake(string language)
    {
        if (!_pools.TryGetValue(language, out var pool))
        {
            return null;
        }

        var sandbox = pool.TryTake(_time.GetTimestamp());
        if (sandbox is null)
        {
            // A miss: demand outruns the pool, refill now.
            Wake();
        }

        return sandbox;
    }

    /// <summary>
    /// Tells the pool that a run in a handed-out sandbox ended, so it refills now. A hit does not wake the refill at
    /// once: on a small machine the new sandbox's start-up (an interpreter: tens of ms of CPU) would compete with the
    /// run it was handed out for (measured: 12 ms instead of 8 ms for a warm Python hello world on 2 cores).
    /// </summary>
    public void RunEnded() => Wake();

    /// <summary>Counts a hand-out whose sandbox could not be used (the run went cold) as a miss.</summary>
    public void RecordFallback(string language)
    {
        if (_pools.TryGetValue(language, out var pool))
        {
            pool.RecordFallback();
        }
    }

    public IReadOnlyList<WarmPoolStats> Stats() => _pools.Values.Select(p => p.Stats()).ToArray();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        Task[] inFlight;
        lock (_inFlightLock)
        {
            inFlight = [.. _inFlight];
        }

        await Task.WhenAll(inFlight);
        foreach (var sandbox in _pools.Values.SelectMany(p => p.Drain()).ToArray())
        {
            await _runner.DisposePreparedAsync(sandbox);
        }

        _stopping.Dispose();
        _wake.Dispose();
        _slots.Dispose();
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // Shut down.
        }
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await MaintainAsync();
                var now = _time.GetTimestamp();
                foreach (var pool in _pools.Values.OrderBy(p => p.Count + p.Preparing))
                {
                    if (pool.Count + Volatile.Read(ref pool.Preparing) >= pool.Target
                        || (pool.LastFailure != long.MinValue && _time.GetElapsedTime(pool.LastFailure, now) < FailureBackoff))
                    {
                        continue;
                    }

                    if (!_slots.Wait(0))
                    {
                        break;
                    }

                    Interlocked.Increment(ref pool.Preparing);
                    Track(PrepareOneAsync(pool, token));
                }

                await _wake.WaitAsync(Tick, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task MaintainAsync()
    {
        var now = _time.GetTimestamp();
        var staleBefore = now - (long)(_options.MaxIdle.TotalSeconds * _time.TimestampFrequency);
        var quietSince = now - (long)(_options.ShrinkAfter.TotalSeconds * _time.TimestampFrequency);
        foreach (var pool in _pools.Values)
        {
            pool.Shrink(quietSince, now);
            while (pool.TakeSurplus(staleBefore) is { } surplus)
            {
                await _runner.DisposePreparedAsync(surplus);
            }
        }
    }

    private void Track(Task task)
    {
        lock (_inFlightLock)
        {
            _inFlight.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_inFlightLock)
                {
                    _inFlight.Remove(t);
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task PrepareOneAsync(LanguagePool pool, CancellationToken token)
    {
        try
        {
            await Task.Yield();
            var spec = pool.Spec;
            var sandbox = await _runner.PrepareAsync(spec.Command, spec.Binds, spec.Limits, _options.ReadyTimeout, token);
            if (sandbox is null)
            {
                pool.LastFailure = _time.GetTimestamp();
                if (!token.IsCancellationRequested)
                {
                    LogPrepareFailed(_logger, spec.Language, FailureBackoff);
                }
            }
            else if (token.IsCancellationRequested)
            {
                await _runner.DisposePreparedAsync(sandbox);
            }
            else
            {
                pool.Add(sandbox, _time.GetTimestamp());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            pool.LastFailure = _time.GetTimestamp();
            LogPrepareError(_logger, pool.Spec.Language, ex);
        }
        finally
        {
            Interlocked.Decrement(ref pool.Preparing);
            try
            {
                _slots.Release();
            }
            catch (ObjectDisposedException)
            {
                // Shut down.
            }

            Wake();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm pool {Language}: a sandbox could not be prepared; retrying in {Backoff}")]
    private static partial void LogPrepareFailed(ILogger logger, string language, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Warm pool {Language}: preparing a sandbox failed")]
    private static partial void LogPrepareError(ILogger logger, string language, Exception exception);
}
