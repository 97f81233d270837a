using System.Runtime.CompilerServices;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

// A pod's output: the log file its supervisor writes (rotated once), read and followed.
public sealed partial class SandboxPodDriver
{
    /// <inheritdoc />
    public async IAsyncEnumerable<PodLogLine> ReadLogsAsync(PodHandle handle, PodLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(query);
        if (ReadRecord(handle.PodId) is not { } record)
        {
            yield break;
        }

        var directory = PodDirectory(record.PodId);
        using var file = new PodLogFile(directory, includeRotated: true);
        IEnumerable<PodLogLine> first = file.ReadAvailable().Where(l => query.Since is null || l.Timestamp >= query.Since);
        if (query.Tail is { } tail)
        {
            first = first.TakeLast(Math.Max(0, tail));
        }

        foreach (var line in first)
        {
            yield return line;
        }

        while (query.Follow)
        {
            // Looked at before reading: the supervisor writes the exit file after the last line, so nothing is missed.
            var ended = ObserveRecord(record).State != PodState.Running;
            foreach (var line in file.ReadAvailable())
            {
                if (query.Since is null || line.Timestamp >= query.Since)
                {
                    yield return line;
                }
            }

            if (ended)
            {
                yield break;
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }
}
