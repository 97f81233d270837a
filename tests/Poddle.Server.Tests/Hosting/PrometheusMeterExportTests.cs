using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Executions;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Scaling;
using Poddle.Server.Hosting;

namespace Poddle.Server.Tests.Hosting;

public sealed class PrometheusMeterExportTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Fact]
    public async Task Metrics_RecordedHistograms_AreExportedAsPrometheusHistogramsWithTheirAdvisedBuckets()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var pool = $"pool-{Guid.NewGuid():N}";
        using var pools = new PoolMetrics(server.Services.GetRequiredService<IMeterFactory>());

        // Recorded straight through the classes the server and the pool wiring use, before this test's scrape.
        server.Services.GetRequiredService<ExecutionMetrics>().Finished("histogram-test", "ok", TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(40));
        pools.JobFinished(pool, "COMPLETED", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));
        pools.WorkersSpawned(pool, 2);
        using var client = server.CreateClient();
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("# TYPE poddle_executions_wait_seconds histogram", text, StringComparison.Ordinal);
        // 0.005 is a bound of the instrument's advice, not of prometheus-net's default buckets (0.01 · 2^n).
        Assert.Matches("poddle_executions_wait_seconds_bucket\\{language=\"histogram-test\",le=\"0.005\"\\} 1\n", text);
        Assert.Matches("poddle_executions_run_seconds_bucket\\{language=\"histogram-test\",le=\"0.025\"\\} 0\n", text);
        Assert.Matches("poddle_executions_run_seconds_count\\{language=\"histogram-test\"\\} 1\n", text);
        Assert.Contains("# TYPE poddle_pools_task_processing_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches($"poddle_pools_task_processing_seconds_bucket\\{{pool=\"{pool}\",le=\"2.5\"\\}} 1\n", text);
        Assert.Matches($"poddle_pools_task_processing_seconds_sum\\{{pool=\"{pool}\"\\}} 2\n", text);
        Assert.Matches($"poddle_pools_job_queue_seconds_bucket\\{{pool=\"{pool}\",le=\"0.25\"\\}} 1\n", text);
        Assert.Matches($"poddle_pools_workers_spawned_total\\{{pool=\"{pool}\"\\}} 2\n", text);
        Assert.Matches($"poddle_pools_jobs_finished_total\\{{outcome=\"COMPLETED\",pool=\"{pool}\"\\}} 1\n", text);
        // The per-request framework meters stay out (the proxy's throughput), other meters are in.
        Assert.DoesNotContain("microsoft_aspnetcore_hosting_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("microsoft_aspnetcore_server_kestrel_", text, StringComparison.Ordinal);
        Assert.Contains("prometheus_net_meteradapter_instruments_connected", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_EventCounterAdapter_EnablesTheRuntimeButNoPerRequestSource()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();

        // The scrape starts prometheus-net's event counter adapter; the request has created the hosting event source.
        await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // The adapter's listener enables a source the moment it sees it (its counters follow every 10 s), so whether a
        // source is enabled tells, without waiting, whether its counters will be exported.
        var sources = EventSource.GetSources().ToList();
        Assert.Contains(sources, source => source.Name == "System.Runtime" && source.IsEnabled());
        Assert.Contains(sources, source => source.Name == "Microsoft.AspNetCore.Hosting");
        Assert.DoesNotContain(sources, source => PrometheusMeterExport.PerRequestEventSources.Contains(source.Name) && source.IsEnabled());
    }

    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("Microsoft.EntityFrameworkCore", false)]
    [InlineData("Microsoft.AspNetCore.Hosting", false)]
    [InlineData("Microsoft-AspNetCore-Server-Kestrel", false)]
    [InlineData("System.Net.Http", false)]
    [InlineData("System.Net.Sockets", false)]
    public void ExportsEventSource_PrometheusDefaultsLessThePerRequestSources(string source, bool exported) =>
        Assert.Equal(exported, PrometheusMeterExport.ExportsEventSource(source));

    [Fact]
    public async Task Metrics_PoolDecision_ExportsQueueAndWorkerGauges()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var pool = $"pool-{Guid.NewGuid():N}";
        using var pools = new PoolMetrics(server.Services.GetRequiredService<IMeterFactory>());
        var decision = new ScalingDecision(DateTimeOffset.UnixEpoch, 3, 5, 2, [], ScalingRules.QueueDelayExceeded,
            new ScalingInputs(7, TimeSpan.FromSeconds(6), 2, 1, 0, 2, 1, 5, 5, 5), null);

        pools.Decided(pool, decision);
        using var client = server.CreateClient();
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Matches($"poddle_pools_active_workers_count\\{{pool=\"{pool}\"\\}} 4\n", text);
        Assert.Matches($"poddle_pools_queue_depth\\{{pool=\"{pool}\"\\}} 7\n", text);
        Assert.Matches($"poddle_pools_oldest_job_age_seconds\\{{pool=\"{pool}\"\\}} 6\n", text);
        Assert.Matches($"poddle_pools_workers\\{{pool=\"{pool}\",state=\"running\"\\}} 2\n", text);
        Assert.Matches($"poddle_pools_scaling_decisions_total\\{{action=\"spawn\",pool=\"{pool}\",rule=\"queue-delay-exceeded\"\\}} 1\n", text);
    }

    [Fact]
    public void Buckets_HistogramWithoutAdvice_GetsTheAdaptersDefault()
    {
        using var meter = new Meter("Poddle.Tests.Buckets");

        var advised = PrometheusMeterExport.Buckets(meter.CreateHistogram("advised", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2] }));
        var plain = PrometheusMeterExport.Buckets(meter.CreateHistogram<double>("plain"));

        Assert.Equal([1d, 2d], advised);
        Assert.Equal(Prometheus.MeterAdapterOptions.DefaultHistogramBuckets, plain);
    }
}
