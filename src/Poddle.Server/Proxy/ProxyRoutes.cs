using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Deployments;

namespace Poddle.Server.Proxy;

/// <summary>
/// Holds the current <see cref="ProxyRouteTable"/> and keeps it fresh: loaded before the server takes traffic, rebuilt
/// shortly after a <see cref="DeploymentChangeSignal"/> (changes in this process, debounced so a burst of changes costs
/// one reload) and every <see cref="ProxyOptions.RefreshInterval"/> (changes made by other servers sharing the database).
/// A failed reload keeps the previous table and is retried at the next tick.
/// </summary>
public sealed partial class ProxyRoutes : BackgroundService
{
    /// <summary>How long a signal waits for more signals before the reload (debounce).</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    private readonly ProxyRouteLoader _loader;
    private readonly DeploymentChangeSignal _signal;
    private readonly IOptions<ProxyOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ProxyRoutes> _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile ProxyRouteTable _current = ProxyRouteTable.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProxyRoutes(ProxyRouteLoader loader, DeploymentChangeSignal signal, IOptions<ProxyOptions> options, TimeProvider clock, ILogger<ProxyRoutes> logger)
    {
        _loader = loader;
        _signal = signal;
        _options = options;
        _clock = clock;
        _logger = logger;
        _signal.Changed += OnChanged;
    }

    /// <summary>The table requests are routed by.</summary>
    public ProxyRouteTable Current => _current;

    /// <summary>Reloads the table from the database now (also used by tests and after start).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            _current = await _loader.LoadAsync(_current, cancellationToken);
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Loads the first table before the server's requests depend on it.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryRefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _signal.Changed -= OnChanged;
        _reload.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = Volatile.Read(ref _changed).Task;
            try
            {
                await Task.WhenAny(changed, Task.Delay(_options.Value.RefreshInterval, _clock, stoppingToken));
                if (changed.IsCompleted)
                {
                    await Task.Delay(Debounce, _clock, stoppingToken);
                    Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await TryRefreshAsync(stoppingToken);
        }
    }

    private void OnChanged(Guid deploymentId) => Volatile.Read(ref _changed).TrySetResult();

    private async Task TryRefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // The previous table keeps serving; the next tick tries again.
            LogReloadFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reload the proxy's routes; the previous routes stay in use")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
