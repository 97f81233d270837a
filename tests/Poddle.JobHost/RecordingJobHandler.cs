using Poddle.Core.Jobs;

namespace Poddle.JobHost;

/// <summary>
/// Appends "started {pid} {job} {attempt}" to the record file, then either blocks until cancelled (the process
/// that will be killed) or appends "completed {pid} {job}" and returns.
/// </summary>
public sealed class RecordingJobHandler(string recordFile, bool block) : IJobHandler
{
    public const string JobKind = "test.recording";

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        await Record($"started {Environment.ProcessId} {context.JobId} {context.Attempt}");
        if (block)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await Record($"completed {Environment.ProcessId} {context.JobId}");
    }

    private async Task Record(string line)
    {
        // One line per write with O_APPEND: both processes share the file without interleaving lines.
        await using var stream = new FileStream(recordFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await using var writer = new StreamWriter(stream);
        await writer.WriteLineAsync(line);
    }
}
