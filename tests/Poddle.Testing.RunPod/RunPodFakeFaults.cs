namespace Poddle.Testing.RunPod;

/// <summary>
/// Failures a test injects into <see cref="RunPodFake"/> (chaos): capacity droughts, HTTP 500s, slow answers, GraphQL
/// INTERNAL_SERVER_ERRORs on one field, and a random failure rate. Thread-safe.
/// </summary>
public sealed class RunPodFakeFaults
{
    /// <summary>RunPod's answer when no machine has the GPU type (in the cloud type) asked for.</summary>
    public const string NoInstancesMessage = "There are no longer any instances available with the requested specifications. Please refresh and try again.";

    /// <summary>RunPod's answer when no machine has the disk asked for.</summary>
    public const string NoDiskMessage = "There are no longer any instances available with enough disk space.";

    /// <summary>RunPod's answer for an error of its own (with extensions.code INTERNAL_SERVER_ERROR).</summary>
    public const string InternalErrorMessage = "Something went wrong. Please try again later or contact support.";

    private readonly Lock _lock = new();
    private readonly HashSet<(string GpuTypeId, string? CloudType)> _droughts = [];
    private readonly Dictionary<string, int> _internalErrors = new(StringComparer.Ordinal);
    private readonly Random _random;
    private int _httpFailures;
    private int _httpFailureStatus = 500;

    internal RunPodFakeFaults(int seed) => _random = new Random(seed);

    /// <summary>How long every answer waits before it is made (a slow RunPod); zero by default.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The share of requests (0-1) answered with HTTP 500 at random (seeded), after the counted failures.</summary>
    public double FailureRate { get; set; }

    /// <summary>Rents of <paramref name="gpuTypeId"/> (in <paramref name="cloudType"/> "SECURE"/"COMMUNITY", or any when null) fail with RunPod's capacity error until <see cref="EndDrought"/>.</summary>
    public void Drought(string gpuTypeId, string? cloudType = null)
    {
        lock (_lock)
        {
            _droughts.Add((gpuTypeId, cloudType));
        }
    }

    /// <summary>Ends every drought.</summary>
    public void EndDrought()
    {
        lock (_lock)
        {
            _droughts.Clear();
        }
    }

    /// <summary>The next <paramref name="count"/> requests are answered with HTTP <paramref name="status"/> (500 by default, or 429, 502...).</summary>
    public void FailNextRequests(int count, int status = 500)
    {
        lock (_lock)
        {
            _httpFailures = count;
            _httpFailureStatus = status;
        }
    }

    /// <summary>The next <paramref name="count"/> calls of the top-level <paramref name="field"/> ("podResume") fail with INTERNAL_SERVER_ERROR.</summary>
    public void InternalErrorOnNext(string field, int count = 1)
    {
        lock (_lock)
        {
            _internalErrors[field] = count;
        }
    }

    internal bool IsDrought(string gpuTypeId, string cloudType)
    {
        lock (_lock)
        {
            return _droughts.Contains((gpuTypeId, null)) || _droughts.Contains((gpuTypeId, cloudType));
        }
    }

    internal int? TakeHttpFailure()
    {
        lock (_lock)
        {
            if (_httpFailures > 0)
            {
                _httpFailures--;
                return _httpFailureStatus;
            }

            return FailureRate > 0 && _random.NextDouble() < FailureRate ? 500 : null;
        }
    }

    internal bool TakeInternalError(string field)
    {
        lock (_lock)
        {
            if (_internalErrors.TryGetValue(field, out var left) && left > 0)
            {
                _internalErrors[field] = left - 1;
                return true;
            }

            return false;
        }
    }
}
