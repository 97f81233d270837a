using System.Diagnostics;
using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.JobHost;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

/// <summary>
/// The done-when of the queue: a server process holding a job's lease is killed with SIGKILL (no shutdown code
/// runs), and a second server process completes the job once the lease has expired. Real processes, real PostgreSQL.
/// </summary>
public sealed class JobRunnerProcessKillTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>The host in its own output directory (Core's tests reference it only to build it, not to load it).</summary>
    private static readonly string JobHostPath = typeof(JobRunnerProcessKillTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PoddleJobHostPath").Value!;

    [Fact]
    public async Task RunJob_ServerHoldingLeaseKilled_AnotherServerCompletesTheJob()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var record = Path.Combine(Path.GetTempPath(), "poddle-kill-" + Guid.NewGuid().ToString("N")[..12] + ".log");
        var jobId = Guid.CreateVersion7();
        await using (var db = database.CreateContext())
        {
            var now = DateTimeOffset.UtcNow;
            db.Set<Job>().Add(new Job { Id = jobId, Kind = RecordingJobHandler.JobKind, State = JobState.Queued, MaxAttempts = 5, RunAt = now, CreatedAt = now });
            await db.SaveChangesAsync();
        }

        Process? first = null;
        Process? second = null;
        var logs = new StringBuilder();
        try
        {
            first = StartHost(database, record, "block", logs);
            await WaitUntilAsync(() => File.Exists(record) && File.ReadAllText(record).Contains($"started {first.Id} {jobId} 1", StringComparison.Ordinal), "the first server starts the job", logs);
            var held = await GetJobAsync(database, jobId);
            Assert.Equal(JobState.Running, held.State);
            Assert.Contains($":{first.Id}:", held.LeaseOwner, StringComparison.Ordinal);

            first.Kill(); // SIGKILL: no graceful stop, the lease is simply abandoned.
            await first.WaitForExitAsync().WaitAsync(Bound);
            Assert.Equal(JobState.Running, (await GetJobAsync(database, jobId)).State);

            second = StartHost(database, record, "complete", logs);
            await WaitUntilAsync(async () => (await GetJobAsync(database, jobId)).State == JobState.Succeeded, "the second server completes the job", logs);

            var done = await GetJobAsync(database, jobId);
            Assert.Equal(2, done.Attempts);
            Assert.Contains($":{second.Id}:", done.LeaseOwner, StringComparison.Ordinal);
            var lines = await File.ReadAllLinesAsync(record);
            Assert.Equal([$"started {first.Id} {jobId} 1", $"started {second.Id} {jobId} 2", $"completed {second.Id} {jobId}"], lines);
        }
        finally
        {
            foreach (var process in new[] { first, second })
            {
                if (process is { HasExited: false })
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }

                process?.Dispose();
            }

            File.Delete(record);
        }
    }

    private static Process StartHost(TestDatabase database, string record, string mode, StringBuilder logs)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(JobHostPath);
        foreach (var arg in new[]
        {
            database.Setting, record, mode,
            "Jobs:LeaseDuration=00:00:03", "Jobs:HeartbeatInterval=00:00:01", "Jobs:PollInterval=00:00:00.250", "Jobs:Workers=2",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        void Log(object sender, DataReceivedEventArgs e)
        {
            lock (logs)
            {
                logs.Append(mode).Append(": ").AppendLine(e.Data);
            }
        }

        process.OutputDataReceived += Log;
        process.ErrorDataReceived += Log;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<Job> GetJobAsync(TestDatabase database, Guid id)
    {
        await using var db = database.CreateContext();
        return await db.Set<Job>().AsNoTracking().SingleAsync(j => j.Id == id);
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, StringBuilder logs) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, logs);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what, StringBuilder logs) =>
        Poll.UntilAsync(condition, what, Bound, () =>
        {
            lock (logs)
            {
                return Task.FromResult($"the hosts logged:{Environment.NewLine}{logs}");
            }
        });
}
