using Poddle.Agent.Worker;

namespace Poddle.Agent.Tests.Worker;

public sealed class WorkerEnvironmentTests
{
    [Fact]
    public void Read_APoolsEnvironment_FillsTheWorkerIdIntoTheTemplates()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WorkerEnvironment.GetJob] = "http://s/v2/p/job-take/$ID?protocol=runpod",
            [WorkerEnvironment.PostOutput] = "http://s/v2/p/job-done/$RUNPOD_POD_ID/$ID?protocol=runpod",
            [WorkerEnvironment.Ping] = "http://s/v2/p/ping/$RUNPOD_POD_ID",
            [WorkerEnvironment.PingIntervalVariable] = "2500",
            [WorkerEnvironment.JobStop] = "http://s/v2/p/job-stop/$RUNPOD_POD_ID?job_id=$ID",
            [WorkerEnvironment.PodId] = "w-1",
            [WorkerEnvironment.ApiKey] = "pwk_k",
        };

        var read = WorkerEnvironment.Read(env, out var errors);

        Assert.Empty(errors);
        Assert.Equal(
            new WorkerEnvironment("w-1", "http://s/v2/p/job-take/w-1?protocol=runpod", "http://s/v2/p/job-done/w-1/$ID?protocol=runpod", "http://s/v2/p/ping/w-1", TimeSpan.FromMilliseconds(2500), "http://s/v2/p/job-stop/w-1?job_id=$ID", "pwk_k"),
            read);
        Assert.Equal("http://s/v2/p/job-take/w-1?protocol=runpod&job_in_progress=0", WorkerEnvironment.WithQuery(read!.TakeUrl, "job_in_progress=0").OriginalString);
        Assert.Equal("http://s/v2/p/ping/w-1?job_id=", WorkerEnvironment.WithQuery(read.PingUrl!, "job_id=").OriginalString);
    }

    [Fact]
    public void Read_Missing_NamesEachVariable()
    {
        var read = WorkerEnvironment.Read(new Dictionary<string, string> { [WorkerEnvironment.PingIntervalVariable] = "soon" }, out var errors);

        Assert.Null(read);
        Assert.Equal(
            [WorkerEnvironment.GetJob, WorkerEnvironment.PostOutput, WorkerEnvironment.PodId, WorkerEnvironment.ApiKey, WorkerEnvironment.PingIntervalVariable],
            errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }
}
